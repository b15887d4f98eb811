"""FastAPI dependencies: the signed-in principal, and role checks.

Use ``Annotated[Principal, Depends(requires(Role.ADMIN, Role.HR))]`` on a route; the
principal's ``unit_filter``/``can_reach`` then limit what the route may touch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from card_service.auth.context import AuthContext
from card_service.auth.errors import ForbiddenError, InvalidTokenError, NotAuthenticatedError
from card_service.auth.principal import Principal, active_principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.users.models import Role

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/sign-in")


async def auth_context(request: Request) -> AuthContext:
    context: AuthContext = request.app.state.auth
    return context


def current_principal(
    session: DbSession,
    now: Now,
    context: Annotated[AuthContext, Depends(auth_context)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticatedError
    claims = context.tokens.verify(credentials.credentials, now=now)
    principal = active_principal(session, claims.user_id)
    if principal is None:
        # A deactivated account's tokens stop working at once.
        raise InvalidTokenError
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def requires(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency admitting principals holding at least one of ``roles``."""

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(roles):
            raise ForbiddenError(f"needs one of the roles: {', '.join(r.value for r in roles)}")
        return principal

    check.__name__ = f"requires_{'_or_'.join(role.value for role in roles)}"
    return check
