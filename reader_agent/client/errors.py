"""Errors talking to card_service. Every httpx2 error is re-raised as one of these."""

from __future__ import annotations

from typing import Any

from reader_agent.errors import ReaderAgentError


class ServiceError(ReaderAgentError):
    """Base of the client's errors."""


class ServiceUnavailableError(ServiceError):
    """The service could not be reached or could not answer now (network, 5xx, 429):
    worth retrying later."""


class ServiceRefusedError(ServiceError):
    """The service answered with a problem (4xx): retrying the same request will not help.
    ``code`` is the problem's stable code."""

    def __init__(self, status: int, code: str, detail: str, problem: dict[str, Any]) -> None:
        super().__init__(f"service refused ({status} {code}): {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.problem = problem


class UnexpectedAnswerError(ServiceError):
    """The service answered something this agent cannot read (a version mismatch)."""
