"""PIN and PUK reference data: 6 to 8 digits, padded with FF to 8 bytes
(SP 800-73-4 Part 2 section 3.2.1). Never logged."""

from __future__ import annotations

from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.status import SW, retries_left
from reader_agent.piv.constants import PIN_LENGTH, PIN_PAD
from reader_agent.piv.errors import PinFormatError
from reader_agent.piv.status import raise_for_status

MIN_PIN_LENGTH = 6


def pad(pin: str) -> bytes:
    """The 8-byte reference data field for ``pin``; raise ``PinFormatError`` first
    if no PIV card could hold it (so a typo never costs a try)."""
    if not (MIN_PIN_LENGTH <= len(pin) <= PIN_LENGTH and pin.isascii() and pin.isdigit()):
        raise PinFormatError("a PIV PIN or PUK is 6 to 8 digits")
    return pin.encode("ascii").ljust(PIN_LENGTH, bytes((PIN_PAD,)))


def retries_from(sw: int) -> int:
    """Tries left, from the answer to an empty VERIFY (63CX, or 6983 when blocked)."""
    if sw == SW.AUTH_METHOD_BLOCKED:
        return 0
    tries = retries_left(sw)
    if tries is None:
        raise_for_status(sw)
        raise MalformedResponseError(f"status {sw:04X} does not say how many tries are left")
    return tries
