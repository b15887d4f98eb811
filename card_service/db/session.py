"""The request-scoped unit of work.

One session per request, one transaction per session: committed when the route
returns, rolled back when anything raises. Service functions flush but never commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from card_service.db.engine import Database


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _request_session(request: Request) -> Iterator[Session]:
    with get_database(request).transaction() as session:
        yield session


# scope="function": the commit runs before the response is sent, so a failed commit
# becomes an error response instead of a 200 for data that was never stored.
DbSession = Annotated[Session, Depends(_request_session, scope="function")]
