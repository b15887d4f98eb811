"""FastAPI dependency: the reader that signed this request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.readers.errors import ReaderNotAuthenticatedError
from card_service.readers.models import Reader
from card_service.readers.tokens import authenticate_reader

_bearer = HTTPBearer(auto_error=False, description="A token the reader signed with its key")


def current_reader(
    session: DbSession,
    now: Now,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Reader:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ReaderNotAuthenticatedError("a reader token is required", server_time=now.isoformat())
    return authenticate_reader(session, credentials.credentials, now=now)


CurrentReader = Annotated[Reader, Depends(current_reader)]
