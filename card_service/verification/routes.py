"""``/api/v1/verify``: online verification for readers and counter staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from card_service.auth.context import AuthContext
from card_service.auth.dependencies import auth_context
from card_service.auth.errors import ForbiddenError, InvalidTokenError
from card_service.auth.principal import active_principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.problems import Problem
from card_service.readers.errors import ReaderNotAuthenticatedError
from card_service.readers.tokens import authenticate_reader
from card_service.users.models import Role
from card_service.verification import service
from card_service.verification.verifier import ServiceVerifier
from reader_protocol.verification import (
    VerificationChallenge,
    VerificationRequest,
    VerificationResult,
)

router = APIRouter(prefix="/verify", tags=["verification"])
_bearer = HTTPBearer(auto_error=False)
VERIFIER_ROLES = (Role.ADMIN, Role.COUNTER_STAFF)


def verification_caller(
    session: DbSession,
    now: Now,
    context: Annotated[AuthContext, Depends(auth_context)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """A reader (its own signed token) or counter staff / an administrator (access token).
    Returns who it is, which the challenge is bound to."""
    if credentials is None:
        raise InvalidTokenError
    token = credentials.credentials
    try:
        return f"reader:{authenticate_reader(session, token, now=now).id}"
    except ReaderNotAuthenticatedError:
        pass
    claims = context.tokens.verify(token, now=now)
    principal = active_principal(session, claims.user_id)
    if principal is None:
        raise InvalidTokenError
    if not principal.has_any(VERIFIER_ROLES):
        raise ForbiddenError("needs the counter_staff or admin role")
    return principal.actor


Caller = Annotated[str, Depends(verification_caller)]


async def _verifier(request: Request) -> ServiceVerifier:
    verifier: ServiceVerifier = request.app.state.verifier
    return verifier


@router.post(
    "/challenges",
    response_model=VerificationChallenge,
    responses={401: {"model": Problem}, 403: {"model": Problem}},
)
def new_challenge(caller: Caller, session: DbSession, now: Now) -> VerificationChallenge:
    return service.new_challenge(session, requested_by=caller, now=now)


@router.post(
    "",
    response_model=VerificationResult,
    responses={401: {"model": Problem}, 403: {"model": Problem}},
)
def verify(
    body: VerificationRequest,
    caller: Caller,
    session: DbSession,
    now: Now,
    verifier: Annotated[ServiceVerifier, Depends(_verifier)],
) -> VerificationResult:
    """The card's certificate and its signature over our challenge, checked like a
    reader checks them offline, plus the card's live state."""
    return service.verify(session, verifier, body, requested_by=caller, now=now)
