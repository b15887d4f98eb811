"""From a PIV status word to the error that names it (Part 2 section 3, the
"Response APDU" table of each command)."""

from __future__ import annotations

from reader_agent.iso7816.status import SW, retries_left
from reader_agent.piv.errors import (
    DataObjectNotFoundError,
    KeyNotFoundError,
    PinBlockedError,
    PinIncorrectError,
    PivStatusError,
    SecurityStatusNotSatisfiedError,
)


def raise_for_status(sw: int, *, not_found: type[PivStatusError] = DataObjectNotFoundError) -> None:
    """Return on 9000; otherwise raise the most specific ``PivStatusError``."""
    if sw == SW.SUCCESS:
        return
    tries = retries_left(sw)
    if tries is not None:
        raise PinBlockedError(sw) if tries == 0 else PinIncorrectError(sw, tries)
    specific: dict[int, type[PivStatusError]] = {
        SW.AUTH_METHOD_BLOCKED: PinBlockedError,
        SW.SECURITY_STATUS_NOT_SATISFIED: SecurityStatusNotSatisfiedError,
        SW.FILE_NOT_FOUND: not_found,
        SW.REFERENCE_NOT_FOUND: KeyNotFoundError,
    }
    raise specific.get(sw, PivStatusError)(sw)
