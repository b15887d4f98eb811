"""Errors of sign-in and authorisation. All 401s say as little as possible."""

from __future__ import annotations

from card_service.errors import CardServiceError, InvalidRequestError, NotFoundError

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ecard"'}


class NotAuthenticatedError(CardServiceError):
    code = "not_authenticated"
    status = 401
    title = "Authentication required"

    def __init__(self, detail: str = "a valid access token is required") -> None:
        super().__init__(detail, headers=_CHALLENGE)


class InvalidTokenError(NotAuthenticatedError):
    code = "invalid_token"
    title = "Invalid or expired token"


class SignInFailedError(CardServiceError):
    code = "sign_in_failed"
    status = 401
    title = "Wrong username or password"


class AccountLockedError(CardServiceError):
    code = "account_locked"
    status = 423
    title = "Account temporarily locked"


class WrongCurrentPasswordError(CardServiceError):
    """A password change whose current password is wrong. Not a 401: the caller is
    signed in, and a client must not take this for an expired token."""

    code = "wrong_current_password"
    status = 403
    title = "The current password is wrong"


class PasswordUnchangedError(InvalidRequestError):
    """A password change whose new password is the one typed as current: it would
    change nothing but end every other sign-in."""

    code = "password_unchanged"
    title = "The new password is the current one"


class TooManyAttemptsError(CardServiceError):
    code = "too_many_attempts"
    status = 429
    title = "Too many sign-in attempts"


class ForbiddenError(CardServiceError):
    code = "forbidden"
    status = 403
    title = "Not allowed for your role"


class OutOfScopeError(NotFoundError):
    """An object outside the caller's units: reported exactly like a missing one, so
    that the existence of other units' holders and cards does not leak."""
