"""Errors of the on-disk state."""

from __future__ import annotations

from reader_agent.errors import ReaderAgentError


class StateError(ReaderAgentError):
    """The reader's state on disk cannot be read or written."""


class NotEnrolledError(StateError):
    """The data directory holds no enrolled identity: run ``reader-agent enrol`` first."""


class AlreadyEnrolledError(StateError):
    """The data directory already belongs to an enrolled reader."""


class ConfigRefusedError(StateError):
    """A configuration document that verified but may not be used."""


class ConfigRollbackError(ConfigRefusedError):
    """A configuration older than the one held."""

    def __init__(self, held: int, presented: int) -> None:
        super().__init__(f"configuration version {presented} is older than held {held}")
        self.held = held
        self.presented = presented
