"""Errors of the reader agent. A reader that hits any of these fails closed."""

from __future__ import annotations


class ReaderAgentError(Exception):
    """Base of every error the agent raises on purpose."""


class CardCommunicationError(ReaderAgentError):
    """The card or reader stopped answering, or answered something unusable."""


class NoReaderError(CardCommunicationError):
    """No PC/SC reader (or not the named one) is available."""


class NoCardError(CardCommunicationError):
    """The reader is present but holds no card."""


class PcscUnavailableError(CardCommunicationError):
    """The PC/SC daemon cannot be reached."""


class VirtualCardError(ReaderAgentError):
    """The virtual card could not reach the vpcd driver."""


class MalformedResponseError(CardCommunicationError):
    """The card's answer does not parse (bad TLV, wrong length, missing status word)."""


class CardStatusError(CardCommunicationError):
    """The card answered a command with a status word other than success."""

    def __init__(self, sw: int, message: str | None = None) -> None:
        super().__init__(message or f"card answered status word {sw:04X}")
        self.sw = sw


class ReaderNotConfiguredError(ReaderAgentError):
    """The reader holds no trust bundle or no configuration yet: it refuses every card."""
