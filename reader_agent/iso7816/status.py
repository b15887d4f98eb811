"""Status words (SW1 SW2) and the response APDU."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from reader_agent.errors import CardStatusError, MalformedResponseError


class SW(enum.IntEnum):
    """Status words the platform's protocols act on (ISO 7816-4 section 5.6)."""

    SUCCESS = 0x9000
    WARNING_NV_UNCHANGED = 0x6200
    VERIFY_FAILED = 0x6300  # 63CX carries retries left in X
    WRONG_LENGTH = 0x6700
    SECURE_MESSAGING_NOT_SUPPORTED = 0x6882
    LAST_COMMAND_EXPECTED = 0x6883
    COMMAND_CHAINING_NOT_SUPPORTED = 0x6884
    COMMAND_NOT_ALLOWED = 0x6900
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    AUTH_METHOD_BLOCKED = 0x6983
    REFERENCE_DATA_NOT_USABLE = 0x6984
    CONDITIONS_NOT_SATISFIED = 0x6985
    SM_DATA_OBJECTS_MISSING = 0x6987
    SM_DATA_OBJECTS_INCORRECT = 0x6988
    WRONG_DATA = 0x6A80
    FUNCTION_NOT_SUPPORTED = 0x6A81
    FILE_NOT_FOUND = 0x6A82
    NOT_ENOUGH_MEMORY = 0x6A84
    INCORRECT_P1P2 = 0x6A86
    REFERENCE_NOT_FOUND = 0x6A88
    WRONG_P1P2 = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    NO_PRECISE_DIAGNOSIS = 0x6F00


SW1_MORE_DATA = 0x61  # 61XX: XX more bytes with GET RESPONSE
SW1_WRONG_LE = 0x6C  # 6CXX: resend with Le = XX
SW1_VERIFY_RETRIES = 0x63  # 63CX: verification failed, X retries left


def retries_left(sw: int) -> int | None:
    """For 63CX, the X retries left; otherwise None."""
    if sw >> 8 == SW1_VERIFY_RETRIES and (sw & 0xF0) == 0xC0:  # noqa: PLR2004
        return sw & 0x0F
    return None


@dataclass(frozen=True)
class ResponseApdu:
    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes) -> ResponseApdu:
        if len(raw) < 2:  # noqa: PLR2004 - SW1 SW2
            raise MalformedResponseError(f"response of {len(raw)} bytes has no status word")
        return cls(data=bytes(raw[:-2]), sw=int.from_bytes(raw[-2:], "big"))

    @property
    def ok(self) -> bool:
        return self.sw == SW.SUCCESS

    def require_success(self) -> bytes:
        """The data, if the status word is 9000; otherwise raise CardStatusError."""
        if self.sw != SW.SUCCESS:
            raise CardStatusError(self.sw)
        return self.data
