"""The smallest useful virtual card: it proves the PC/SC path end to end.

It answers SELECT of its own AID with 9000 and an ``ECHO`` instruction (CLA 80,
INS EE) with the command data reversed; everything else gets "instruction not
supported" (6D00). The full PIV card builds on the same vpcd harness.
"""

from __future__ import annotations

PING_AID = bytes.fromhex("F0000000E0CA4401")
ATR = bytes.fromhex("3B80800101")

_CLA_ISO = 0x00
_CLA_PROPRIETARY = 0x80
_INS_SELECT = 0xA4
_P1_SELECT_BY_AID = 0x04
_INS_ECHO = 0xEE
_HEADER_LENGTH = 4  # CLA INS P1 P2

_SW_OK = b"\x90\x00"
_SW_FILE_NOT_FOUND = b"\x6a\x82"
_SW_INS_NOT_SUPPORTED = b"\x6d\x00"
_SW_WRONG_LENGTH = b"\x67\x00"


class PingCard:
    """A card with one application that echoes data back reversed."""

    def __init__(self) -> None:
        self.powered = False
        self.selected = False

    @property
    def atr(self) -> bytes:
        return ATR

    def power_on(self) -> None:
        self.powered = True
        self.selected = False

    def power_off(self) -> None:
        self.powered = False
        self.selected = False

    def process_apdu(self, apdu: bytes) -> bytes:
        if len(apdu) < _HEADER_LENGTH:
            return _SW_WRONG_LENGTH
        cla, ins, p1 = apdu[0], apdu[1], apdu[2]
        # Short APDU case 3/4: Lc at offset 4, data after it.
        data = apdu[5 : 5 + apdu[4]] if len(apdu) > _HEADER_LENGTH + 1 else b""
        if (cla, ins, p1) == (_CLA_ISO, _INS_SELECT, _P1_SELECT_BY_AID):
            self.selected = data == PING_AID
            return _SW_OK if self.selected else _SW_FILE_NOT_FOUND
        if (cla, ins) == (_CLA_PROPRIETARY, _INS_ECHO) and self.selected:
            return bytes(reversed(data)) + _SW_OK
        return _SW_INS_NOT_SUPPORTED
