"""FastAPI dependency: the reader that signed this request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from card_service.clock import Now
from card_service.db.session import DbSession, get_database
from card_service.readers.errors import ReaderNotAuthenticatedError
from card_service.readers.models import Reader
from card_service.readers.tokens import active_reader, authenticate_reader

_bearer = HTTPBearer(auto_error=False, description="A token the reader signed with its key")


def current_reader(
    request: Request,
    session: DbSession,
    now: Now,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Reader:
    """The token is checked, and its id recorded as used, in a transaction of its own
    that commits before anything else the request does (the request's session has run no
    statement yet); the reader is then loaded in the request's session."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ReaderNotAuthenticatedError("a reader token is required", server_time=now.isoformat())
    reader_id = authenticate_reader(get_database(request), credentials.credentials, now=now)
    return active_reader(session, reader_id, now=now)


CurrentReader = Annotated[Reader, Depends(current_reader)]
