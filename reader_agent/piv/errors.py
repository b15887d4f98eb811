"""Errors of the PIV client.

Every error the card causes is a ``PivError`` and so a ``CardCommunicationError``: a
reader that catches the latter fails closed on all of them. Refusals that carry a
status word are also ``CardStatusError`` (with ``.sw``), so generic ISO 7816 code
keeps working on them.
"""

from __future__ import annotations

from reader_agent.errors import CardCommunicationError, CardStatusError


class PivError(CardCommunicationError):
    """Base of the PIV client's errors."""


class PivStatusError(PivError, CardStatusError):
    """The card refused a PIV command with status word ``sw``."""

    def __init__(self, sw: int, message: str | None = None) -> None:
        CardStatusError.__init__(self, sw, message)


class ApplicationNotFoundError(PivStatusError):
    """The card has no PIV application (SELECT answered 6A82)."""


class DataObjectNotFoundError(PivStatusError):
    """The data object asked for is not on the card (6A82)."""


class KeyNotFoundError(PivStatusError):
    """The slot holds no key, or none of the algorithm asked for (6A88 / 6A86)."""


class SecurityStatusNotSatisfiedError(PivStatusError):
    """The command needs a PIN or management-key authentication first (6982)."""


class PinIncorrectError(PivStatusError):
    """The PIN (or PUK) was wrong; ``retries_left`` tries remain before it blocks."""

    def __init__(self, sw: int, retries_left: int) -> None:
        super().__init__(sw, f"PIN incorrect, {retries_left} tries left")
        self.retries_left = retries_left


class PinBlockedError(PivStatusError):
    """The PIN (or PUK) is blocked (6983, or a wrong try that left 0)."""

    def __init__(self, sw: int) -> None:
        super().__init__(sw, "PIN blocked")
        self.retries_left = 0


class ManagementKeyRejectedError(PivStatusError):
    """The card did not accept our management key (wrong key or wrong algorithm)."""


class MutualAuthenticationError(PivError):
    """The card's answer to our management-key challenge was wrong: it does not hold
    the key we hold, so it is not the card we meant to personalise."""


class PinFormatError(ValueError):
    """A PIN or PUK that a PIV card cannot hold (6 to 8 digits). Raised before any
    command is sent, so it is a caller's error rather than a card's."""
