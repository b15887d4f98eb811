"""Errors of the users package."""

from card_service.errors import CardServiceError, ConflictError, InvalidRequestError, NotFoundError


class UsernameTakenError(ConflictError):
    code = "username_taken"
    title = "Username already exists"


class WeakPasswordError(InvalidRequestError):
    code = "weak_password"
    title = "Password too weak"


class UserNotFoundError(NotFoundError):
    code = "user_not_found"
    title = "User not found"


class GrantNotFoundError(NotFoundError):
    code = "role_grant_not_found"
    title = "Role grant not found"


class UserBeyondScopeError(CardServiceError):
    """The account holds a role over a unit outside the caller's admin scope: changing
    it (its password, above all) would hand the caller powers they do not hold."""

    code = "user_beyond_scope"
    status = 403
    title = "This account holds roles outside your units"


class OwnAccountError(ConflictError):
    code = "own_account"
    title = "Administrators cannot change their own roles, state or password here"
