"""``/api/v1/auth``: sign in, refresh, sign out, who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from card_service.auth import refresh
from card_service.auth.context import AuthContext
from card_service.auth.dependencies import CurrentPrincipal, auth_context
from card_service.auth.errors import InvalidTokenError, SignInFailedError, TooManyAttemptsError
from card_service.auth.password_change import change_own_password
from card_service.auth.schemas import (
    GrantOut,
    Me,
    PasswordChange,
    RefreshRequest,
    SignInRequest,
    TokenPair,
)
from card_service.auth.signin import authenticate
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.problems import Problem, problem_for
from card_service.users.models import User

router = APIRouter(prefix="/auth", tags=["auth"])
Auth = Annotated[AuthContext, Depends(auth_context)]


def _throttle(request: Request, context: AuthContext, now: Now, attempts: str) -> None:
    """Count one password attempt from the client's address. Sign-in and the password
    change share the counter: alternating them gives no more guesses a minute."""
    client = request.client.host if request.client else "unknown"
    if not context.limiter.allow(client, now=now):
        raise TooManyAttemptsError(
            f"too many {attempts} from this address; wait a minute",
            headers={"Retry-After": "60"},
        )


def _token_pair(context: Auth, session: DbSession, user: User, now: Now, token: str) -> TokenPair:
    access, expires_at = context.tokens.issue(user.id, now=now)
    return TokenPair(
        access_token=access,
        expires_in=int((expires_at - now).total_seconds()),
        refresh_token=token,
    )


@router.post(
    "/sign-in",
    response_model=TokenPair,
    responses={401: {"model": Problem}, 423: {"model": Problem}, 429: {"model": Problem}},
)
def sign_in(
    body: SignInRequest, request: Request, session: DbSession, now: Now, context: Auth
) -> TokenPair | JSONResponse:
    _throttle(request, context, now, "sign-in attempts")
    outcome = authenticate(session, body.username, body.password, now=now, policy=context.lockout)
    if outcome.error is not None or outcome.user is None:
        # Returned, not raised: the failure count must be committed.
        error = outcome.error or SignInFailedError("wrong username or password")
        return problem_for(error, instance=request.url.path)
    token = refresh.issue_refresh_token(
        session, outcome.user, now=now, lifetime=context.refresh_lifetime
    )
    return _token_pair(context, session, outcome.user, now, token)


@router.post("/refresh", response_model=TokenPair, responses={401: {"model": Problem}})
def refresh_tokens(
    body: RefreshRequest, request: Request, session: DbSession, now: Now, context: Auth
) -> TokenPair | JSONResponse:
    try:
        user, token = refresh.rotate_refresh_token(
            session, body.refresh_token, now=now, lifetime=context.refresh_lifetime
        )
    except InvalidTokenError as exc:
        # Returned, not raised: revoking a reused token's family must be committed.
        return problem_for(exc, instance=request.url.path)
    return _token_pair(context, session, user, now, token)


@router.post("/sign-out", status_code=204)
def sign_out(body: RefreshRequest, session: DbSession, now: Now) -> Response:
    refresh.revoke_presented(session, body.refresh_token, now=now)
    return Response(status_code=204)


@router.post(
    "/password",
    status_code=204,
    responses={
        401: {"model": Problem},
        403: {"model": Problem},
        422: {"model": Problem},
        423: {"model": Problem},
        429: {"model": Problem},
    },
)
def change_password(
    body: PasswordChange,
    principal: CurrentPrincipal,
    request: Request,
    session: DbSession,
    now: Now,
    context: Auth,
) -> Response:
    """Change your own password: the current one (a wrong one counts as a failed
    sign-in: 403 wrong_current_password, then 423 account_locked), a new one of at least
    12 characters (422 weak_password) that is not the current one (422
    password_unchanged). Attempts count against sign-in's limit per client address
    (429 too_many_attempts with Retry-After). Every other sign-in of the account ends;
    pass this sign-in's refresh token to keep it."""
    _throttle(request, context, now, "password attempts")
    error = change_own_password(
        session,
        principal,
        current_password=body.current_password,
        new_password=body.new_password,
        now=now,
        policy=context.lockout,
        keep_refresh_token=body.refresh_token,
    )
    if error is not None:
        # Returned, not raised: a wrong current password's failure count must be committed.
        return problem_for(error, instance=request.url.path)
    return Response(status_code=204)


@router.get("/me", response_model=Me, responses={401: {"model": Problem}})
def me(principal: CurrentPrincipal) -> Me:
    return Me(
        user_id=principal.user_id,
        username=principal.username,
        grants=[GrantOut(role=g.role, unit_id=g.unit_id) for g in principal.grants],
    )
