"""The service's error base. Every domain error maps to one problem+json response.

Each feature package defines its own subclasses in its ``errors.py``; a subclass sets
a stable ``code`` (clients switch on it), an HTTP ``status`` and a short ``title``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CardServiceError(Exception):
    """Base of every error the service raises on purpose."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFoundError(CardServiceError):
    code = "not_found"
    status = 404
    title = "Not found"


class ConflictError(CardServiceError):
    code = "conflict"
    status = 409
    title = "Conflict"


class InvalidRequestError(CardServiceError):
    code = "invalid_request"
    status = 422
    title = "Invalid request"


class ServiceUnavailableError(CardServiceError):
    code = "service_unavailable"
    status = 503
    title = "Service unavailable"


class ConfigurationError(CardServiceError):
    """The service cannot start as configured (bad URL, unwritable directory, ...)."""

    code = "configuration_error"
    status = 500
    title = "Configuration error"
