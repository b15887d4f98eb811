"""What the console raises to stop a request; each becomes a page, never a traceback.

They do not subclass CardServiceError: the API's problem+json handler is not theirs.
Raising (rather than returning) matters: the request's transaction then rolls back, so
a refused form or action never leaves anything half-saved.
"""

from __future__ import annotations

from starlette.responses import Response


class ConsoleError(Exception):
    """Base of the console's own errors."""


class SignInRequired(ConsoleError):  # noqa: N818 - reads as what the person must do
    """No live session: the person is sent to the sign-in page."""


class NotAllowed(ConsoleError):  # noqa: N818
    """The person's roles do not allow this page or action (403)."""


class CsrfRefused(ConsoleError):  # noqa: N818
    """A POST without this session's CSRF token (403): nothing is done."""


class FormRejected(ConsoleError):  # noqa: N818
    """Carries the page that shows the form again with its errors; the transaction
    is rolled back because this is raised."""

    def __init__(self, response: Response) -> None:
        super().__init__("form rejected")
        self.response = response
