"""Creating work schedules and giving them to units and rostered holders."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.attendance.errors import (
    InvalidScheduleError,
    ScheduleCodeTakenError,
    ScheduleNotFoundError,
)
from card_service.attendance.models import ShiftAssignment, UnitSchedule, WorkPeriod, WorkSchedule
from card_service.attendance.rollup import invalidate, invalidate_days, today
from card_service.attendance.scope import staff_in_unit
from card_service.audit.service import record
from card_service.orgunits.models import OrgUnit
from card_service.pagination import PageParams, paginate

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class PeriodSpec:
    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class ScheduleRules:
    grace_late_minutes: int = 5
    grace_early_minutes: int = 5
    debounce_seconds: int = 300
    overtime_threshold_minutes: int = 30
    day_boundary_minute: int = 0
    corrections_need_approval: bool = False


def create_schedule(
    session: Session,
    *,
    code: str,
    name: str,
    periods: Sequence[PeriodSpec],
    rules: ScheduleRules = ScheduleRules(),
    actor: str,
    now: datetime,
) -> WorkSchedule:
    _check_periods(periods, rules.day_boundary_minute)
    if session.scalar(select(WorkSchedule.id).where(WorkSchedule.code == code)) is not None:
        raise ScheduleCodeTakenError(f"schedule code {code!r} is already used")
    schedule = WorkSchedule(
        code=code,
        name=name,
        grace_late_minutes=rules.grace_late_minutes,
        grace_early_minutes=rules.grace_early_minutes,
        debounce_seconds=rules.debounce_seconds,
        overtime_threshold_minutes=rules.overtime_threshold_minutes,
        day_boundary_minute=rules.day_boundary_minute,
        corrections_need_approval=rules.corrections_need_approval,
        periods=[
            WorkPeriod(weekday=p.weekday, start_minute=p.start_minute, end_minute=p.end_minute)
            for p in periods
        ],
    )
    session.add(schedule)
    session.flush()
    _audit(
        session,
        "attendance.schedule.created",
        object_type="work_schedule",
        object_id=schedule.id,
        data={
            "code": code,
            "periods": [[p.weekday, p.start_minute, p.end_minute] for p in periods],
        },
        actor=actor,
        now=now,
    )
    return schedule


def _check_periods(periods: Sequence[PeriodSpec], boundary: int) -> None:
    if not 0 <= boundary < MINUTES_PER_DAY:
        raise InvalidScheduleError("the day boundary must be within the day (0-1439)")
    by_day: dict[int, list[PeriodSpec]] = {}
    for period in periods:
        if not 0 <= period.weekday <= 6:  # noqa: PLR2004 - Monday 0 .. Sunday 6
            raise InvalidScheduleError("weekday must be 0 (Monday) to 6 (Sunday)")
        if not 0 <= period.start_minute < MINUTES_PER_DAY:
            raise InvalidScheduleError("a period starts within its day (0-1439)")
        if not period.start_minute < period.end_minute <= period.start_minute + MINUTES_PER_DAY:
            raise InvalidScheduleError("a period ends after it starts, within 24 hours")
        # A period must sit inside its day's attendance window or its taps would be
        # counted on the neighbouring day.
        if period.start_minute < boundary or period.end_minute > boundary + MINUTES_PER_DAY:
            raise InvalidScheduleError("a period must lie within its day's window")
        by_day.setdefault(period.weekday, []).append(period)
    for spans in by_day.values():
        spans.sort(key=lambda p: p.start_minute)
        for before, after in itertools.pairwise(spans):
            if after.start_minute < before.end_minute:
                raise InvalidScheduleError("periods of one weekday must not overlap")


def get_schedule(session: Session, schedule_id: uuid.UUID) -> WorkSchedule:
    schedule = session.get(WorkSchedule, schedule_id)
    if schedule is None:
        raise ScheduleNotFoundError(f"no work schedule {schedule_id}")
    return schedule


def list_schedules(
    session: Session, paging: PageParams, *, code: str | None = None
) -> tuple[list[WorkSchedule], int]:
    """One page of the schedules by code, optionally only the one with ``code``."""
    query = select(WorkSchedule)
    if code is not None:
        query = query.where(WorkSchedule.code == code)
    return paginate(session, query.order_by(WorkSchedule.code), paging)


def assign_unit_schedule(
    session: Session, unit: OrgUnit, schedule: WorkSchedule, *, actor: str, now: datetime
) -> None:
    """Give ``unit`` (and units below without their own) ``schedule`` from today on;
    days already past keep what they were computed with."""
    existing = session.get(UnitSchedule, unit.id)
    if existing is None:
        session.add(UnitSchedule(unit_id=unit.id, schedule_id=schedule.id))
    else:
        existing.schedule_id = schedule.id
    session.flush()
    _audit(
        session,
        "attendance.schedule.assigned",
        object_type="org_unit",
        object_id=unit.id,
        data={"schedule_id": str(schedule.id)},
        actor=actor,
        now=now,
    )
    first = today(now)
    invalidate_days(session, staff_in_unit(unit), first, date(first.year + 1, 12, 31))


def assign_shift(
    session: Session,
    holder_id: uuid.UUID,
    day: date,
    schedule: WorkSchedule | None,
    *,
    actor: str,
    now: datetime,
) -> None:
    """Roster ``holder_id`` on ``schedule`` for ``day`` (None removes the roster)."""
    existing = session.get(ShiftAssignment, (holder_id, day))
    if existing is not None:
        session.delete(existing)
        session.flush()
    if schedule is not None:
        session.add(ShiftAssignment(holder_id=holder_id, day=day, schedule_id=schedule.id))
        session.flush()
    _audit(
        session,
        "attendance.shift.rostered",
        object_type="holder",
        object_id=holder_id,
        data={"day": day.isoformat(), "schedule_id": str(schedule.id) if schedule else None},
        actor=actor,
        now=now,
    )
    invalidate(session, [(holder_id, day)])


def _audit(
    session: Session,
    action: str,
    *,
    object_type: str,
    object_id: uuid.UUID,
    data: dict[str, object],
    actor: str,
    now: datetime,
) -> None:
    record(
        session,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data,
        now=now,
    )
