"""A virtual PIV card (SP 800-73-4 subset) served over vpcd or called in-process.

This module is the card's transport layer: it decodes command APDUs, undoes command
chaining, answers long responses in 256-byte pieces with 61XX and GET RESPONSE (or
all at once to an extended-length command), and dispatches to the application
(``piv_applet``, ``piv_authenticate``). What each instruction does, and the status
words it answers, is documented in docs/piv-profile.md.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import reduce
from operator import xor
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from reader_agent.iso7816.apdu import (
    CLA_CHAINING_BIT,
    EXTENDED_MAX_LE,
    SHORT_MAX_LE,
    CommandApdu,
    parse_command,
)
from reader_agent.iso7816.redact import APDU_LOG_LEVEL, loggable_command
from reader_agent.iso7816.status import SW, SW1_MORE_DATA
from reader_agent.piv.constants import Ins
from reader_agent.virtual.piv_applet import PivApplet, Refusal, Session
from reader_agent.virtual.piv_authenticate import GeneralAuthenticate
from reader_agent.virtual.piv_state import (
    MemoryStateStore,
    PivCardState,
    StateFile,
    StateStore,
)

logger = logging.getLogger(__name__)

# ATR: T=0 and T=1 offered; historical bytes in compact-TLV: card capabilities (73)
# announcing command chaining and extended Lc/Le, then issuer data "eCardPIV".
_HISTORICAL = bytes.fromhex("8073C021C0") + b"\x58" + b"eCardPIV"
_ATR_BODY = bytes((0x80 | len(_HISTORICAL), 0x80, 0x01)) + _HISTORICAL
ATR = b"\x3b" + _ATR_BODY + bytes((reduce(xor, _ATR_BODY, 0),))

MAX_CHAINED_DATA = 16 * 1024
_CLA_INTERINDUSTRY = 0x00
_SHORT_HEADER_AND_LC = 5


@dataclass(frozen=True)
class PivCardOptions:
    """Misbehaviour for tests: ``sign_with_other_key`` answers GENERAL AUTHENTICATE
    with a key that is not the one the slot's certificate names."""

    sign_with_other_key: bool = False


def _new_private_key(curve: ec.EllipticCurve) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(curve)


@dataclass
class _Chain:
    ins: int
    p1: int
    p2: int
    data: bytearray


class PivCard:
    """The card. Constructors do no I/O; ``open()`` loads or creates a state file."""

    def __init__(
        self,
        state: PivCardState,
        *,
        store: StateStore | None = None,
        options: PivCardOptions | None = None,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
        generate_key: Callable[[ec.EllipticCurve], ec.EllipticCurvePrivateKey] = _new_private_key,
    ) -> None:
        self.state = state
        self.store = store or MemoryStateStore()
        self.session = Session()
        self.options = options = options or PivCardOptions()
        self._applet = PivApplet(state, self.session, save=self._save, generate_key=generate_key)
        authenticate = GeneralAuthenticate(
            state,
            self.session,
            random_bytes=random_bytes,
            generate_key=generate_key,
            sign_with_other_key=options.sign_with_other_key,
        )
        self._handlers: dict[int, Callable[[CommandApdu], bytes]] = {
            Ins.VERIFY: self._applet.verify,
            Ins.CHANGE_REFERENCE_DATA: self._applet.change_reference_data,
            Ins.RESET_RETRY_COUNTER: self._applet.reset_retry_counter,
            Ins.GENERATE_ASYMMETRIC_KEY_PAIR: self._applet.generate_asymmetric_key_pair,
            Ins.GENERAL_AUTHENTICATE: authenticate,
            Ins.GET_DATA: self._applet.get_data,
            Ins.PUT_DATA: self._applet.put_data,
        }
        self._chain: _Chain | None = None
        self._pending_response = b""
        self.powered = False

    @classmethod
    def blank(cls, *, options: PivCardOptions | None = None) -> PivCard:
        """A new card kept in memory only."""
        return cls(_blank_state(), options=options)

    @classmethod
    def open(cls, path: Path, *, options: PivCardOptions | None = None) -> PivCard:
        """The card whose state is in ``path``; a blank card (saved there) if absent."""
        store = StateFile(path)
        state = store.load()
        if state is None:
            state = _blank_state()
            store.save(state)
            logger.info("created blank virtual PIV card %s in %s", state.card_uuid, path)
        return cls(state, store=store, options=options)

    # ------------------------------------------------------------ VirtualCard

    @property
    def atr(self) -> bytes:
        return ATR

    def power_on(self) -> None:
        self.powered = True
        self._reset_volatile()

    def power_off(self) -> None:
        self.powered = False
        self._reset_volatile()

    def process_apdu(self, apdu: bytes) -> bytes:
        logger.log(APDU_LOG_LEVEL, "> %s", loggable_command(apdu))
        try:
            response = self._process(apdu)
        except Exception:  # one bad command must not take the card away
            logger.exception("virtual PIV card failed on a command")
            response = _status(SW.NO_PRECISE_DIAGNOSIS)
        logger.log(APDU_LOG_LEVEL, "< %s", response.hex())
        return response

    # ------------------------------------------------------------ transport

    def _process(self, raw: bytes) -> bytes:
        try:
            command = parse_command(raw)
        except ValueError:
            return _status(SW.WRONG_LENGTH)
        extended = len(raw) > _SHORT_HEADER_AND_LC and raw[4] == 0
        if command.ins == Ins.GET_RESPONSE and command.cla == _CLA_INTERINDUSTRY:
            return self._get_response(command)
        self._pending_response = b""
        if command.cla & ~CLA_CHAINING_BIT != _CLA_INTERINDUSTRY:
            self._chain = None
            return _status(SW.CLA_NOT_SUPPORTED)
        if command.cla & CLA_CHAINING_BIT:
            return self._add_to_chain(command)
        command = self._end_chain(command)
        data, sw = self._dispatch(command)
        if sw != SW.SUCCESS:
            return _status(sw)
        return self._respond(data, command.le, extended=extended)

    def _add_to_chain(self, command: CommandApdu) -> bytes:
        chain = self._chain
        if chain is None or (chain.ins, chain.p1, chain.p2) != (
            command.ins,
            command.p1,
            command.p2,
        ):
            chain = self._chain = _Chain(command.ins, command.p1, command.p2, bytearray())
        chain.data.extend(command.data)
        if len(chain.data) > MAX_CHAINED_DATA:
            self._chain = None
            return _status(SW.WRONG_LENGTH)
        return _status(SW.SUCCESS)

    def _end_chain(self, command: CommandApdu) -> CommandApdu:
        """The whole command, if ``command`` ends a chain; a chain interrupted by a
        different command is dropped (ISO 7816-4 5.3.3)."""
        chain, self._chain = self._chain, None
        if chain is None or (chain.ins, chain.p1, chain.p2) != (
            command.ins,
            command.p1,
            command.p2,
        ):
            return command
        return CommandApdu(
            command.cla,
            command.ins,
            command.p1,
            command.p2,
            bytes(chain.data) + command.data,
            command.le,
        )

    def _dispatch(self, command: CommandApdu) -> tuple[bytes, int]:
        if command.ins != Ins.GENERAL_AUTHENTICATE:
            self.session.clear_pending()
        try:
            if command.ins == Ins.SELECT:
                return self._applet.select(command), SW.SUCCESS
            handler = self._handlers.get(command.ins)
            if handler is None or not self.session.selected:
                return b"", SW.INS_NOT_SUPPORTED
            return handler(command), SW.SUCCESS
        except Refusal as refusal:
            return b"", refusal.sw

    def _respond(self, data: bytes, le: int | None, *, extended: bool) -> bytes:
        """Send what fits; keep the rest for GET RESPONSE and say so with 61XX."""
        limit = (le or EXTENDED_MAX_LE) if extended else min(le or SHORT_MAX_LE, SHORT_MAX_LE)
        return self._piece(data, limit)

    def _get_response(self, command: CommandApdu) -> bytes:
        if (command.p1, command.p2) != (0, 0):
            return _status(SW.INCORRECT_P1P2)
        if not self._pending_response:
            return _status(SW.CONDITIONS_NOT_SATISFIED)
        pending, self._pending_response = self._pending_response, b""
        return self._piece(pending, command.le or SHORT_MAX_LE)

    def _piece(self, data: bytes, limit: int) -> bytes:
        head, rest = data[:limit], data[limit:]
        self._pending_response = rest
        if not rest:
            return head + _status(SW.SUCCESS)
        # 61 00 means "256 or more bytes remain".
        return head + bytes((SW1_MORE_DATA, min(len(rest), SHORT_MAX_LE) % SHORT_MAX_LE))

    # ------------------------------------------------------------ state

    def _reset_volatile(self) -> None:
        self.session.reset()
        self._chain = None
        self._pending_response = b""

    def _save(self) -> None:
        self.store.save(self.state)


def _blank_state() -> PivCardState:
    return PivCardState.blank(card_uuid=uuid.uuid4(), today=_today())


def _today() -> date:
    return datetime.now(UTC).date()


def _status(sw: int) -> bytes:
    return sw.to_bytes(2, "big")
