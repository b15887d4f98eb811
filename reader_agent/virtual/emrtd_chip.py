"""A virtual ICAO 9303 chip: the files of an eMRTD behind PACE or BAC, with secure
messaging, Chip Authentication and Active Authentication.

Like a Vietnamese CCCD it refuses SELECT of the master file (EF.CardAccess is read by
short EF identifier) and requires an access protocol before any LDS file is read.
Extended-length APDUs and the odd READ BINARY (B1) are accepted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from reader_agent.emrtd.errors import SecureMessagingError
from reader_agent.emrtd.files import EMRTD_AID, Ef
from reader_agent.emrtd.secure_messaging import CLA_SM, SecureMessaging
from reader_agent.iso7816.apdu import CommandApdu, parse_command
from reader_agent.iso7816.tlv import encode_tlv, find
from reader_agent.virtual.emrtd_chip_auth import (
    SW_CONDITIONS,
    SW_OK,
    SW_SECURITY,
    SW_WRONG_DATA,
    ActiveAuthChip,
    BacChip,
    ChipAuthChip,
    PaceChip,
)

logger = logging.getLogger(__name__)

ATR = bytes.fromhex("3B8880014241444745564E4D0C")  # T=CL style with "VNM" in the history
SW_FILE_NOT_FOUND = 0x6A82
SW_INS_NOT_SUPPORTED = 0x6D00
SW_WRONG_P1P2 = 0x6B00
SW_END_OF_FILE = 0x6282
SW_SM_INCORRECT = 0x6988
SW_WRONG_LENGTH = 0x6700
CLA_CHAIN = 0x10
MAX_EVEN_OFFSET = 0x7FFF


@dataclass
class ChipConfig:
    """What the chip holds. ``files`` maps file identifiers to contents."""

    files: dict[int, bytes] = field(repr=False)
    pace: PaceChip | None
    bac: BacChip | None
    chip_auth: ChipAuthChip | None
    active_auth: ActiveAuthChip | None


class EmrtdChip:
    """The chip as vpcd sees it (the VirtualCard protocol)."""

    def __init__(self, config: ChipConfig) -> None:
        self.config = config
        self._reset()

    @property
    def atr(self) -> bytes:
        return ATR

    def power_on(self) -> None:
        self._reset()

    def power_off(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.sm: SecureMessaging | None = None
        self.application = False
        self.current: int | None = None
        self._pending_sm: SecureMessaging | None = None

    # ----------------------------------------------------------------- APDU entry

    def process_apdu(self, apdu: bytes) -> bytes:
        try:
            command = parse_command(apdu)
        except ValueError:
            return SW_WRONG_LENGTH.to_bytes(2, "big")
        if self.sm is not None and command.cla & CLA_SM == CLA_SM:
            return self._protected(command)
        if self.sm is not None:
            self.sm = None  # an unprotected command ends the session, as ICAO requires
        data, sw = self._dispatch(command)
        return data + sw.to_bytes(2, "big")

    def _protected(self, command: CommandApdu) -> bytes:
        sm = self.sm
        assert sm is not None  # noqa: S101 - checked by the caller
        try:
            plain = sm.unprotect_command(command)
        except SecureMessagingError:
            logger.debug("SM check failed; ending the session")
            self.sm = None
            return SW_SM_INCORRECT.to_bytes(2, "big")
        data, sw = self._dispatch(plain)
        answer = sm.protect_response(data, sw, odd_ins=bool(plain.ins & 1))
        if self._pending_sm is not None:
            # CA: the answer goes out under the old keys; later commands use the new ones.
            self.sm, self._pending_sm = self._pending_sm, None
        return answer

    def _dispatch(self, command: CommandApdu) -> tuple[bytes, int]:
        handlers = {
            0xA4: self._select,
            0xB0: self._read,
            0xB1: self._read,
            0x22: self._mse,
            0x86: self._general_authenticate,
            0x84: self._get_challenge,
            0x82: self._external_authenticate,
            0x88: self._internal_authenticate,
        }
        handler = handlers.get(command.ins)
        return handler(command) if handler else (b"", SW_INS_NOT_SUPPORTED)

    def _get_challenge(self, _command: CommandApdu) -> tuple[bytes, int]:
        if self.config.bac is None:
            return b"", SW_INS_NOT_SUPPORTED
        return self.config.bac.get_challenge()

    def _external_authenticate(self, command: CommandApdu) -> tuple[bytes, int]:
        if self.config.bac is None:
            return b"", SW_INS_NOT_SUPPORTED
        answer, sw, session = self.config.bac.external_authenticate(command.data)
        self._start_sm(session)
        return answer, sw

    def _start_sm(self, session: SecureMessaging | None) -> None:
        if session is not None:
            self.sm = session  # the answer that established it goes out in clear

    # ----------------------------------------------------------------- files

    def _select(self, command: CommandApdu) -> tuple[bytes, int]:
        if command.p1 == 0x04:  # noqa: PLR2004
            self.application = command.data == EMRTD_AID
            self.current = None
            return b"", SW_OK if self.application else SW_FILE_NOT_FOUND
        if command.p1 == 0x00 or command.data in (b"\x3f\x00", b""):
            return b"", SW_FILE_NOT_FOUND  # like a CCCD: no SELECT MF
        if command.p1 != 0x02 or len(command.data) != 2:  # noqa: PLR2004
            return b"", SW_WRONG_P1P2
        fid = int.from_bytes(command.data, "big")
        if not self.application or fid not in self.config.files or fid == Ef.CARD_ACCESS:
            return b"", SW_FILE_NOT_FOUND
        if self.sm is None:
            return b"", SW_SECURITY
        self.current = fid
        return b"", SW_OK

    def _read(self, command: CommandApdu) -> tuple[bytes, int]:
        if command.ins == 0xB1:  # noqa: PLR2004
            offset_do = find(command.data, 0x54) if command.data else None
            if offset_do is None:
                return b"", SW_WRONG_DATA
            offset, fid = int.from_bytes(offset_do.value, "big"), self.current
        elif command.p1 & 0x80:
            sfi = command.p1 & 0x1F
            fid = Ef.CARD_ACCESS if sfi == Ef.CARD_ACCESS & 0x1F else 0x0100 | sfi
            offset = command.p2
            if fid != Ef.CARD_ACCESS and (self.sm is None or not self.application):
                return b"", SW_SECURITY
            self.current = fid
        else:
            offset, fid = ((command.p1 << 8) | command.p2) & MAX_EVEN_OFFSET, self.current
        if fid is None or fid not in self.config.files:
            return b"", SW_CONDITIONS if fid is None else SW_FILE_NOT_FOUND
        content = self.config.files[fid]
        if offset > len(content):
            return b"", SW_WRONG_P1P2
        chunk = content[offset : offset + (command.le or 256)]
        sw = SW_OK if len(chunk) == (command.le or 256) else SW_END_OF_FILE
        if command.ins == 0xB1:  # noqa: PLR2004
            return encode_tlv(0x53, chunk), sw
        return chunk, sw

    # ----------------------------------------------------------------- protocols

    def _mse(self, command: CommandApdu) -> tuple[bytes, int]:
        p1p2 = (command.p1, command.p2)
        if p1p2 == (0xC1, 0xA4) and self.config.pace is not None:
            return self.config.pace.set_at(command.data)
        if p1p2 == (0x41, 0xA4) and self.config.chip_auth is not None and self.sm is not None:
            return self.config.chip_auth.set_at(command.data)
        if p1p2 == (0x41, 0xA6) and self.config.chip_auth is not None and self.sm is not None:
            sw, session = self.config.chip_auth.set_kat(command.data)
            self._pending_sm = session
            return b"", sw
        return b"", SW_WRONG_P1P2

    def _general_authenticate(self, command: CommandApdu) -> tuple[bytes, int]:
        if self.sm is not None and self.config.chip_auth is not None:
            answer, sw, session = self.config.chip_auth.general_authenticate(command.data)
            self._pending_sm = session
            return answer, sw
        if self.config.pace is None:
            return b"", SW_INS_NOT_SUPPORTED
        answer, sw, session = self.config.pace.general_authenticate(command.data)
        if session is not None and not command.cla & CLA_CHAIN:
            self._start_sm(session)
        return answer, sw

    def _internal_authenticate(self, command: CommandApdu) -> tuple[bytes, int]:
        if self.config.active_auth is None:
            return b"", SW_INS_NOT_SUPPORTED
        if self.sm is None:
            return b"", SW_SECURITY
        return self.config.active_auth.internal_authenticate(command.data)
