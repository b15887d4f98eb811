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
