"""``/api/v1/service-usage``: catalogue, counter sign-ins and sessions, statistics, open data."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select

from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.orgunits.errors import UnitNotFoundError
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.pagination import Page, Paging
from card_service.problems import Problem
from card_service.service_usage import catalogue, counters, opendata, statistics
from card_service.service_usage.evidence import SessionEvidence
from card_service.service_usage.schemas import (
    ServiceIn,
    ServiceOut,
    SessionIn,
    SessionOut,
    SignInIn,
    SignInOut,
    StatRowOut,
)
from card_service.users.models import Role

router = APIRouter(prefix="/service-usage", tags=["service usage"])
STAFF_ROLES = (Role.ADMIN, Role.COUNTER_STAFF)
STATS_ROLES = (Role.ADMIN, Role.COUNTER_STAFF, Role.AUDITOR)
Staff = Annotated[Principal, Depends(requires(*STAFF_ROLES))]
Admin = Annotated[Principal, Depends(requires(Role.ADMIN))]
StatsReader = Annotated[Principal, Depends(requires(*STATS_ROLES))]
From = Annotated[date, Query(alias="from")]
To = Annotated[date, Query(alias="to")]
ERRORS: dict[int | str, dict[str, object]] = {404: {"model": Problem}, 409: {"model": Problem}}


def _unit(
    session: DbSession, principal: Principal, unit_id: uuid.UUID, roles: tuple[Role, ...]
) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_reach(unit.path, roles):
        raise UnitNotFoundError(f"no organisation unit {unit_id}")
    return unit


@router.get("/catalogue", response_model=Page[ServiceOut])
def list_services(
    principal: StatsReader,
    session: DbSession,
    paging: Paging,
    q: Annotated[
        str | None, Query(max_length=100, description="Part of the code or name, any case")
    ] = None,
    active: bool | None = None,
) -> Page[ServiceOut]:
    """The installation's catalogue of services, by code."""
    items, total = catalogue.list_services(session, paging, q=q, active=active)
    return Page[ServiceOut](
        items=[ServiceOut.model_validate(s) for s in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/catalogue", response_model=ServiceOut, status_code=201, responses=ERRORS)
def add_service(body: ServiceIn, principal: Admin, session: DbSession, now: Now) -> ServiceOut:
    service = catalogue.add_service(
        session, code=body.code, name=body.name, actor=principal.actor, now=now
    )
    return ServiceOut.model_validate(service)


@router.post("/counters/{counter_id}/sign-in", response_model=SignInOut, responses=ERRORS)
def sign_in(
    counter_id: uuid.UUID, body: SignInIn, principal: Staff, session: DbSession, now: Now
) -> SignInOut:
    counter = _unit(session, principal, counter_id, STAFF_ROLES)
    signed = counters.sign_in(session, counter=counter, staff_id=body.staff_holder_id, now=now)
    return SignInOut.model_validate(signed)


@router.post("/counters/{counter_id}/sign-out", status_code=204, responses=ERRORS)
def sign_out(
    counter_id: uuid.UUID, body: SignInIn, principal: Staff, session: DbSession, now: Now
) -> None:
    counter = _unit(session, principal, counter_id, STAFF_ROLES)
    counters.sign_out(session, counter=counter, staff_id=body.staff_holder_id, now=now)


@router.post("/sessions", response_model=SessionOut, status_code=201, responses=ERRORS)
def start_session(body: SessionIn, principal: Staff, session: DbSession, now: Now) -> SessionOut:
    counter = _unit(session, principal, body.counter_unit_id, STAFF_ROLES)
    service = catalogue.service_by_code(session, body.service_code)
    visit = counters.start_session(
        session,
        counter=counter,
        service=service,
        citizen_ref=body.citizen_ref,
        now=now,
        evidence=SessionEvidence(
            legal_basis=body.legal_basis, consent_given_at=body.consent_given_at
        ),
    )
    return SessionOut.model_validate(visit)


@router.post("/sessions/{session_id}/end", response_model=SessionOut, responses=ERRORS)
def end_session(
    session_id: uuid.UUID, principal: Staff, session: DbSession, now: Now
) -> SessionOut:
    visit = counters.get_session(session, session_id)
    _unit(session, principal, visit.counter_unit_id, STAFF_ROLES)
    return SessionOut.model_validate(counters.end_session(session, visit, now=now))


@router.get("/centres/{centre_id}/statistics", response_model=list[StatRowOut], responses=ERRORS)
def get_statistics(
    centre_id: uuid.UUID,
    first: From,
    last: To,
    principal: StatsReader,
    session: DbSession,
    by: Annotated[list[statistics.Dimension], Query()] = [statistics.Dimension.SERVICE],  # noqa: B006 - FastAPI copies defaults
) -> list[StatRowOut]:
    """A report, not a list: one row per value of the ``by`` dimensions (bounded by
    them, not by the number of sessions), so it comes whole rather than in pages."""
    centre = _unit(session, principal, centre_id, STATS_ROLES)
    rows = statistics.summarise(statistics.visits(session, [centre.id], first, last), by)
    return [StatRowOut.model_validate(row) for row in rows]


def _open_visits(
    session: DbSession, principal: Principal, first: date, last: date
) -> list[statistics.Visit]:
    centres = session.scalars(
        select(OrgUnit.id).where(
            OrgUnit.kind == UnitKind.SERVICE_CENTRE, principal.unit_filter(STATS_ROLES)
        )
    ).all()
    return statistics.visits(session, list(centres), first, last)


@router.get(
    "/open-data.json",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}},
)
def open_data_json(first: From, last: To, principal: StatsReader, session: DbSession) -> Response:
    rows = opendata.open_rows(_open_visits(session, principal, first, last))
    return Response(opendata.as_json(rows, first=first, last=last), media_type="application/json")


@router.get(
    "/open-data.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def open_data_csv(first: From, last: To, principal: StatsReader, session: DbSession) -> Response:
    rows = opendata.open_rows(_open_visits(session, principal, first, last))
    name = f"luot-phuc-vu-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(
        opendata.as_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
