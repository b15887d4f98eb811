"""``/api/v1/verify``: online verification for readers and counter staff.

The hot path of the service: each request runs in ONE worker-thread hop and ONE
transaction (caller authentication, then the work), instead of FastAPI's hop per
dependency. The transaction is still the request's: committed before the answer.
A reader's token id is the exception: it is recorded as used in a short transaction of
its own first, so a request that fails cannot make its token usable again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from card_service.auth.context import AuthContext
from card_service.auth.errors import ForbiddenError, InvalidTokenError
from card_service.auth.principal import active_principal
from card_service.db.engine import Database
from card_service.db.session import get_database
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
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
VERIFIER_ROLES = (Role.ADMIN, Role.COUNTER_STAFF)
ERRORS: dict[int | str, dict[str, object]] = {401: {"model": Problem}, 403: {"model": Problem}}
T = TypeVar("T")


def verification_caller(
    database: Database,
    session: Session,
    context: AuthContext,
    token: str | None,
    *,
    now: datetime,
) -> str:
    """A reader (its own signed token) or counter staff / an administrator (access token).
    Returns who it is, which the challenge is bound to. Call it before ``session`` has
    run a statement (authenticate_reader commits in a transaction of its own)."""
    if token is None:
        raise InvalidTokenError
    try:
        return f"reader:{authenticate_reader(database, token, now=now)}"
    except ReaderNotAuthenticatedError:
        pass
    claims = context.tokens.verify(token, now=now)
    principal = active_principal(session, claims.user_id)
    if principal is None:
        raise InvalidTokenError
    if not principal.has_any(VERIFIER_ROLES):
        raise ForbiddenError("needs the counter_staff or admin role")
    return principal.actor


async def _in_one_transaction(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    work: Callable[[Session, str, datetime], T],
) -> T:
    database = get_database(request)
    context: AuthContext = request.app.state.auth
    now: datetime = request.app.state.clock()
    token = credentials.credentials if credentials is not None else None

    def run() -> T:
        with database.transaction() as session:
            caller = verification_caller(database, session, context, token, now=now)
            return work(session, caller, now)

    return await run_in_threadpool(run)


@router.post("/challenges", response_model=VerificationChallenge, responses=ERRORS)
async def new_challenge(request: Request, credentials: Credentials) -> VerificationChallenge:
    return await _in_one_transaction(
        request,
        credentials,
        lambda session, caller, now: service.new_challenge(session, requested_by=caller, now=now),
    )


@router.post("", response_model=VerificationResult, responses=ERRORS)
async def verify(
    body: VerificationRequest, request: Request, credentials: Credentials
) -> VerificationResult:
    """The card's certificate and its signature over our challenge, checked like a
    reader checks them offline, plus the card's live state."""
    verifier: ServiceVerifier = request.app.state.verifier
    return await _in_one_transaction(
        request,
        credentials,
        lambda session, caller, now: service.verify(
            session, verifier, body, requested_by=caller, now=now
        ),
    )
