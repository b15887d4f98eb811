"""Errors of the eMRTD protocol. Every one of them means: do not trust this document."""

from __future__ import annotations

from reader_agent.errors import CardCommunicationError, MalformedResponseError, ReaderAgentError


class EmrtdError(ReaderAgentError):
    """Base of the eMRTD protocol's own errors."""


class AccessControlError(EmrtdError, CardCommunicationError):
    """PACE or BAC failed: wrong CAN/MRZ, a blocked password, or a chip that misbehaved.

    ``retries_left`` is the chip's own count when it reported one (63CX), so a counter
    clerk can stop before the card blocks the CAN.
    """

    def __init__(self, message: str, *, retries_left: int | None = None) -> None:
        super().__init__(message)
        self.retries_left = retries_left


class PasswordBlockedError(AccessControlError):
    """The chip refuses the password: no retries are left (6983) or it is suspended."""


class SecureMessagingError(EmrtdError, MalformedResponseError):
    """A protected response failed its MAC, its structure, or its padding."""


class LdsFormatError(EmrtdError, MalformedResponseError):
    """A data group or EF.CardAccess does not have the structure ICAO 9303 gives it."""


class UnsupportedProtocolError(EmrtdError):
    """The chip offers only algorithms or domain parameters this reader does not implement."""


class ChipAuthenticationError(EmrtdError):
    """Chip Authentication failed: the chip could not prove it holds the DG14 key."""


class ActiveAuthenticationError(EmrtdError):
    """Active Authentication failed: the chip's signature over our challenge is wrong."""
