"""``/api/v1/attendance``: the work calendar and schedules (administrators edit them)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response

from card_service.attendance import overrides, schedules, versions
from card_service.attendance.access import (
    CALENDAR_ROLES,
    READ_ROLES,
    WRITE_ROLES,
    holder_in_scope,
    unit_in_scope,
)
from card_service.attendance.calendar import CalendarEntry
from card_service.attendance.kinds import OverrideKind
from card_service.attendance.schemas import (
    CalendarDayOut,
    OverrideIn,
    ScheduleIn,
    ScheduleOut,
    ShiftIn,
    UnitScheduleIn,
)
from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.etags import check_if_match
from card_service.pagination import Page, Paging, page_of
from card_service.problems import Problem

router = APIRouter()
ReaderRole = Annotated[Principal, Depends(requires(*READ_ROLES))]
WriterRole = Annotated[Principal, Depends(requires(*WRITE_ROLES))]
AdminRole = Annotated[Principal, Depends(requires(*CALENDAR_ROLES))]
NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": Problem}}
# The PUTs replace an assignment whole. Like card transitions, If-Match is optional:
# with it a stale ETag is refused (412), without it the PUT replaces what is there.
IfMatch = Annotated[
    str | None,
    Header(description="Optional: refuse the change if the assignment changed since (412)"),
]
ETAG_HEADER = {"ETag": {"description": "Names what is assigned now", "schema": {"type": "string"}}}
REPLACE_RESPONSES: dict[int | str, dict[str, object]] = {412: {"model": Problem}, **NOT_FOUND}


@router.get("/calendar/{year}", response_model=Page[CalendarDayOut])
def get_calendar(
    year: Annotated[int, Path(ge=2000, le=2100)],
    *,
    principal: ReaderRole,
    session: DbSession,
    paging: Paging,
    source: Annotated[
        Literal["national", "local"] | None, Query(description="national or local days only")
    ] = None,
    kind: OverrideKind | None = None,
) -> Page[CalendarDayOut]:
    days = overrides.year_calendar(session, year, source=source, kind=kind)
    items, total = page_of(days, paging)
    return Page[CalendarDayOut](
        items=[CalendarDayOut.model_validate(day) for day in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.put(
    "/calendar/days/{day}",
    response_model=CalendarDayOut,
    responses={200: {"headers": ETAG_HEADER}, **REPLACE_RESPONSES},
)
def set_calendar_day(
    day: date,
    *,
    body: OverrideIn,
    principal: AdminRole,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> CalendarDayOut:
    unit = None
    if body.unit_id is not None:
        unit = unit_in_scope(session, principal, body.unit_id, CALENDAR_ROLES)
    if if_match is not None:
        check_if_match(if_match, versions.calendar_day_etag(session, day, body.unit_id, lock=True))
    override = overrides.set_override(
        session,
        day=day,
        entry=CalendarEntry(body.kind, body.name, body.follows_weekday),
        unit=unit,
        actor=principal.actor,
        now=now,
    )
    response.headers["ETag"] = versions.calendar_day_etag(session, day, body.unit_id)
    return CalendarDayOut(
        day=override.day,
        kind=override.kind,
        name=override.name,
        source="local",
        override_id=override.id,
        unit_id=override.unit_id,
    )


@router.delete("/calendar/overrides/{override_id}", status_code=204, responses=NOT_FOUND)
def remove_calendar_override(
    override_id: uuid.UUID, principal: AdminRole, session: DbSession, now: Now
) -> None:
    overrides.remove_override(session, override_id, actor=principal.actor, now=now)


@router.get("/schedules", response_model=Page[ScheduleOut])
def list_schedules(
    principal: ReaderRole,
    session: DbSession,
    paging: Paging,
    code: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ScheduleOut]:
    items, total = schedules.list_schedules(session, paging, code=code)
    return Page[ScheduleOut](
        items=[ScheduleOut.model_validate(s) for s in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post(
    "/schedules", response_model=ScheduleOut, status_code=201, responses={409: {"model": Problem}}
)
def create_schedule(
    body: ScheduleIn, principal: WriterRole, session: DbSession, now: Now
) -> ScheduleOut:
    schedule = schedules.create_schedule(
        session,
        code=body.code,
        name=body.name,
        periods=[
            schedules.PeriodSpec(p.weekday, p.start_minute, p.end_minute) for p in body.periods
        ],
        rules=schedules.ScheduleRules(
            grace_late_minutes=body.grace_late_minutes,
            grace_early_minutes=body.grace_early_minutes,
            debounce_seconds=body.debounce_seconds,
            overtime_threshold_minutes=body.overtime_threshold_minutes,
            day_boundary_minute=body.day_boundary_minute,
            corrections_need_approval=body.corrections_need_approval,
        ),
        actor=principal.actor,
        now=now,
    )
    return ScheduleOut.model_validate(schedule)


@router.put(
    "/units/{unit_id}/schedule",
    status_code=204,
    responses={204: {"headers": ETAG_HEADER}, **REPLACE_RESPONSES},
)
def set_unit_schedule(
    unit_id: uuid.UUID,
    *,
    body: UnitScheduleIn,
    principal: WriterRole,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> None:
    unit = unit_in_scope(session, principal, unit_id, WRITE_ROLES)
    if if_match is not None:
        check_if_match(if_match, versions.unit_schedule_etag(session, unit.id, lock=True))
    schedule = schedules.get_schedule(session, body.schedule_id)
    schedules.assign_unit_schedule(session, unit, schedule, actor=principal.actor, now=now)
    response.headers["ETag"] = versions.unit_schedule_etag(session, unit.id)


@router.put(
    "/holders/{holder_id}/shifts/{day}",
    status_code=204,
    responses={204: {"headers": ETAG_HEADER}, **REPLACE_RESPONSES},
)
def set_shift(
    holder_id: uuid.UUID,
    day: date,
    *,
    body: ShiftIn,
    principal: WriterRole,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> None:
    holder = holder_in_scope(session, principal, holder_id, WRITE_ROLES)
    if if_match is not None:
        check_if_match(if_match, versions.shift_etag(session, holder.id, day, lock=True))
    schedule = (
        None if body.schedule_id is None else schedules.get_schedule(session, body.schedule_id)
    )
    schedules.assign_shift(session, holder.id, day, schedule, actor=principal.actor, now=now)
    response.headers["ETag"] = versions.shift_etag(session, holder.id, day)
