"""Errors of the users package."""

from card_service.errors import ConflictError, InvalidRequestError


class UsernameTakenError(ConflictError):
    code = "username_taken"
    title = "Username already exists"


class WeakPasswordError(InvalidRequestError):
    code = "weak_password"
    title = "Password too weak"
