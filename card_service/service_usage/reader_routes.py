"""``/api/v1/reader/counter``: what a counter station calls with its own signed token.

Counter-mode readers only (403 ``counter_reader_required`` for others); the reader's
site is its counter. Messages: reader_protocol.counter. The start request carries the
citizen's document number, which never appears in an answer, an error or a log line
(validation errors list field locations and messages, never input values).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.problems import Problem
from card_service.readers.dependencies import CurrentReader
from card_service.service_usage import catalogue, citizen_sessions
from card_service.service_usage.citizen_ref import CitizenRefKey
from reader_protocol.counter import (
    CitizenSessionEnded,
    CitizenSessionStart,
    CitizenSessionStarted,
    CounterCatalogue,
    CounterService,
    CounterStatus,
)

router = APIRouter(prefix="/reader/counter", tags=["reader protocol"])
ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem},
    403: {"model": Problem},
    404: {"model": Problem},
    409: {"model": Problem},
}


async def _citizen_refs(request: Request) -> CitizenRefKey:
    refs: CitizenRefKey = request.app.state.citizen_refs
    return refs


CitizenRefs = Annotated[CitizenRefKey, Depends(_citizen_refs)]


@router.get("/catalogue", response_model=CounterCatalogue, responses=ERRORS)
def counter_catalogue(reader: CurrentReader, session: DbSession) -> CounterCatalogue:
    citizen_sessions.counter_of(session, reader)
    return CounterCatalogue(
        services=[
            CounterService(code=s.code, name=s.name)
            for s in catalogue.catalogue(session, active_only=True)
        ]
    )


@router.get("/status", response_model=CounterStatus, responses=ERRORS)
def counter_status(reader: CurrentReader, session: DbSession) -> CounterStatus:
    return citizen_sessions.status(session, reader)


@router.post("/sessions", response_model=CitizenSessionStarted, status_code=201, responses=ERRORS)
def start_citizen_session(
    body: CitizenSessionStart,
    reader: CurrentReader,
    session: DbSession,
    now: Now,
    refs: CitizenRefs,
) -> CitizenSessionStarted:
    visit, service = citizen_sessions.start(session, reader, body, refs=refs, now=now)
    return CitizenSessionStarted(
        session_id=visit.id,
        service_code=service.code,
        service_name=service.name,
        started_at=visit.started_at,
    )


@router.post("/sessions/{session_id}/end", response_model=CitizenSessionEnded, responses=ERRORS)
def end_citizen_session(
    session_id: uuid.UUID, reader: CurrentReader, session: DbSession, now: Now
) -> CitizenSessionEnded:
    visit = citizen_sessions.end(session, reader, session_id, now=now)
    assert visit.ended_at is not None  # noqa: S101 - end_session just set it
    return CitizenSessionEnded(
        session_id=visit.id, started_at=visit.started_at, ended_at=visit.ended_at
    )
