"""ISO 7816-4 secure messaging as ICAO 9303-11 section 9.8 profiles it.

``SecureMessaging`` holds the session keys and the send-sequence counter (SSC) and
protects and unprotects both directions, so the reader and the virtual chip share one
codec. ``SecureChannel`` wraps a ``Connection``: protocol code sends plain APDUs and
the channel protects each one, sends it (chaining or extended length and GET RESPONSE
are the plain transport's business), and verifies and decrypts the answer.

Data objects: 87 (encrypted data with padding indicator 01; 85 for odd INS), 97 (Le),
99 (status word), 8E (MAC over pad(SSC || padded header || DOs)).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field

from reader_agent.connection import Connection
from reader_agent.emrtd.errors import SecureMessagingError
from reader_agent.emrtd.keys.cipher import MAC_LENGTH, CipherSuite, pad, unpad
from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.apdu import (
    EXTENDED_MAX_LE,
    SHORT_MAX_DATA,
    SHORT_MAX_LE,
    CommandApdu,
    parse_command,
)
from reader_agent.iso7816.redact import APDU_LOG_LEVEL
from reader_agent.iso7816.status import SW, ResponseApdu
from reader_agent.iso7816.tlv import Tlv, encode_tlv, parse_all
from reader_agent.iso7816.transport import exchange

logger = logging.getLogger(__name__)

CLA_SM = 0x0C
TAG_ENCRYPTED = 0x87
TAG_ENCRYPTED_ODD = 0x85
TAG_LE = 0x97
TAG_STATUS = 0x99
TAG_MAC = 0x8E
PADDING_INDICATOR = 0x01


@dataclass
class SecureMessaging:
    """Session keys and SSC. Each protect/unprotect step first increments the SSC."""

    suite: CipherSuite
    ks_enc: bytes = field(repr=False)
    ks_mac: bytes = field(repr=False)
    ssc: int = 0

    def _next_ssc(self) -> bytes:
        size = self.suite.block_size
        self.ssc = (self.ssc + 1) % (1 << (8 * size))
        return self.ssc.to_bytes(size, "big")

    def _mac(self, ssc: bytes, data: bytes) -> bytes:
        return self.suite.mac(self.ks_mac, pad(ssc + data, self.suite.block_size))

    def _encrypt(self, ssc: bytes, data: bytes) -> bytes:
        iv = self.suite.ssc_iv(self.ks_enc, ssc)
        return self.suite.encrypt(self.ks_enc, pad(data, self.suite.block_size), iv=iv)

    def _decrypt(self, ssc: bytes, data: bytes) -> bytes:
        iv = self.suite.ssc_iv(self.ks_enc, ssc)
        return unpad(self.suite.decrypt(self.ks_enc, data, iv=iv))

    def _data_object(self, ssc: bytes, ins: int, data: bytes) -> bytes:
        encrypted = self._encrypt(ssc, data)
        if ins & 1:
            return encode_tlv(TAG_ENCRYPTED_ODD, encrypted)
        return encode_tlv(TAG_ENCRYPTED, bytes((PADDING_INDICATOR,)) + encrypted)

    # ----------------------------------------------------------------- reader side

    def protect_command(self, command: CommandApdu) -> CommandApdu:
        """The protected form of ``command`` (encode it short or extended as it fits)."""
        ssc = self._next_ssc()
        cla = command.cla | CLA_SM
        header = bytes((cla, command.ins, command.p1, command.p2))
        body = b""
        if command.data:
            body += self._data_object(ssc, command.ins, command.data)
        extended = (command.le or 0) > SHORT_MAX_LE or len(command.data) > SHORT_MAX_DATA
        if command.le is not None:
            if extended:
                le_value = (command.le % EXTENDED_MAX_LE).to_bytes(2, "big")
            else:
                le_value = bytes((command.le % SHORT_MAX_LE,))
            body += encode_tlv(TAG_LE, le_value)
        mac = self._mac(ssc, pad(header, self.suite.block_size) + body)
        body += encode_tlv(TAG_MAC, mac)
        le = EXTENDED_MAX_LE if extended else SHORT_MAX_LE
        return CommandApdu(cla, command.ins, command.p1, command.p2, body, le)

    def unprotect_response(self, response: ResponseApdu) -> ResponseApdu:
        """Verify and decrypt a protected response; raise SecureMessagingError."""
        ssc = self._next_ssc()
        if not response.data:
            # A chip reports SM failures (6987/6988) and some errors without SM. An
            # unprotected success is never accepted: nothing in it is authenticated.
            if response.sw == SW.SUCCESS or response.sw >> 8 in (0x61, 0x62, 0x63):
                raise SecureMessagingError(f"unprotected response {response.sw:04X} refused")
            return response
        try:
            objects = parse_all(response.data)
        except MalformedResponseError as exc:
            raise SecureMessagingError(f"protected response does not parse: {exc}") from exc
        encrypted, status, mac = _split_response_objects(objects)
        covered = b"".join(obj.encode() for obj in objects[:-1])
        if not hmac.compare_digest(self._mac(ssc, covered), mac.value):
            raise SecureMessagingError("response MAC does not verify")
        sw = int.from_bytes(status.value, "big")
        data = b""
        if encrypted is not None:
            data = self._decrypt_object(ssc, encrypted)
        return ResponseApdu(data=data, sw=sw)

    def _decrypt_object(self, ssc: bytes, item: Tlv) -> bytes:
        value = item.value
        if item.tag == TAG_ENCRYPTED:
            if not value or value[0] != PADDING_INDICATOR:
                raise SecureMessagingError("encrypted data object lacks padding indicator 01")
            value = value[1:]
        if not value:
            raise SecureMessagingError("empty encrypted data object")
        return self._decrypt(ssc, value)

    # ----------------------------------------------------------------- chip side

    def unprotect_command(self, protected: CommandApdu) -> CommandApdu:
        """The chip's view: verify the MAC and decrypt (raises SecureMessagingError)."""
        ssc = self._next_ssc()
        if protected.cla & CLA_SM != CLA_SM:
            raise SecureMessagingError("command is not protected")
        try:
            objects = parse_all(protected.data)
        except MalformedResponseError as exc:
            raise SecureMessagingError(f"protected command does not parse: {exc}") from exc
        if not objects or objects[-1].tag != TAG_MAC or len(objects[-1].value) != MAC_LENGTH:
            raise SecureMessagingError("protected command lacks its MAC")
        header = bytes((protected.cla, protected.ins, protected.p1, protected.p2))
        covered = pad(header, self.suite.block_size)
        covered += b"".join(obj.encode() for obj in objects[:-1])
        if not hmac.compare_digest(self._mac(ssc, covered), objects[-1].value):
            raise SecureMessagingError("command MAC does not verify")
        data = b""
        le: int | None = None
        for obj in objects[:-1]:
            if obj.tag in (TAG_ENCRYPTED, TAG_ENCRYPTED_ODD):
                data = self._decrypt_object(ssc, obj)
            elif obj.tag == TAG_LE:
                le = _decode_le(obj.value)
            else:
                raise SecureMessagingError(f"unexpected data object {obj.tag:X} in command")
        return CommandApdu(
            protected.cla & ~CLA_SM & 0xFF, protected.ins, protected.p1, protected.p2, data, le
        )

    def protect_response(self, data: bytes, sw: int, *, odd_ins: bool = False) -> bytes:
        """The chip's protected answer: DO87/85, DO99, DO8E, then SW1 SW2."""
        ssc = self._next_ssc()
        body = b""
        if data:
            body += self._data_object(ssc, 1 if odd_ins else 0, data)
        body += encode_tlv(TAG_STATUS, sw.to_bytes(2, "big"))
        body += encode_tlv(TAG_MAC, self._mac(ssc, body))
        return body + sw.to_bytes(2, "big")


def _decode_le(value: bytes) -> int:
    if len(value) == 1:
        return value[0] or SHORT_MAX_LE
    if len(value) == 2:  # noqa: PLR2004
        return int.from_bytes(value, "big") or EXTENDED_MAX_LE
    raise SecureMessagingError("DO97 holds one or two bytes")


def _split_response_objects(objects: list[Tlv]) -> tuple[Tlv | None, Tlv, Tlv]:
    """Check the order 87|85?, 99, 8E and nothing else."""
    tags = [obj.tag for obj in objects]
    if tags not in (
        [TAG_STATUS, TAG_MAC],
        [TAG_ENCRYPTED, TAG_STATUS, TAG_MAC],
        [TAG_ENCRYPTED_ODD, TAG_STATUS, TAG_MAC],
    ):
        raise SecureMessagingError(
            "protected response must hold DO87/85?, DO99, DO8E in order; got "
            + " ".join(f"{tag:X}" for tag in tags)
        )
    status, mac = objects[-2], objects[-1]
    if len(status.value) != 2 or len(mac.value) != MAC_LENGTH:  # noqa: PLR2004
        raise SecureMessagingError("DO99 or DO8E has the wrong length")
    return (objects[0] if len(objects) == 3 else None), status, mac  # noqa: PLR2004


class SecureChannel:
    """A ``Connection`` that protects every APDU with secure messaging.

    ``extended_length`` lets protected commands that outgrow a short APDU go out as one
    extended APDU (the chip said so in EF.ATR/INFO or its historical bytes); otherwise
    they are sent as a command chain.
    """

    def __init__(
        self, connection: Connection, sm: SecureMessaging, *, extended_length: bool = False
    ) -> None:
        self.inner = connection
        self.sm = sm
        self.extended_length = extended_length

    def transmit(self, apdu: bytes) -> bytes:
        try:
            command = parse_command(apdu)
        except ValueError as exc:
            raise SecureMessagingError(f"cannot protect a malformed command: {exc}") from exc
        protected = self.sm.protect_command(command)
        logger.log(
            APDU_LOG_LEVEL,
            "SM > %02X %02X%02X data=%d le=%s",
            command.ins,
            command.p1,
            command.p2,
            len(command.data),
            command.le,
        )
        extended = self.extended_length and protected.needs_extended
        raw = exchange(self.inner, protected, extended=extended)
        response = self.sm.unprotect_response(raw)
        logger.log(APDU_LOG_LEVEL, "SM < %04X data=%d", response.sw, len(response.data))
        return response.data + response.sw.to_bytes(2, "big")
