"""Editing the local calendar: extra days off, compensatory working days, cancellations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.attendance.calendar import CalendarEntry, national_year
from card_service.attendance.errors import OverrideNotFoundError
from card_service.attendance.kinds import OverrideKind
from card_service.attendance.models import CalendarOverride
from card_service.attendance.rollup import invalidate_days
from card_service.attendance.scope import staff_in_unit
from card_service.audit.service import record
from card_service.holders.models import Holder, HolderKind
from card_service.orgunits.models import OrgUnit


def set_override(
    session: Session,
    *,
    day: date,
    entry: CalendarEntry,
    unit: OrgUnit | None,
    actor: str,
    now: datetime,
) -> CalendarOverride:
    """Say what ``day`` is for ``unit`` (None: the whole province), replacing what was said."""
    unit_id = unit.id if unit is not None else None
    for old in session.scalars(
        select(CalendarOverride).where(
            CalendarOverride.day == day,
            CalendarOverride.unit_id.is_(None)
            if unit_id is None
            else CalendarOverride.unit_id == unit_id,
        )
    ):
        session.delete(old)
    override = CalendarOverride(
        day=day,
        unit_id=unit_id,
        kind=entry.kind,
        name=entry.name,
        follows_weekday=entry.follows_weekday,
        created_at=now,
    )
    session.add(override)
    session.flush()
    _audit(session, override, "attendance.calendar.set", actor=actor, now=now)
    _invalidate(session, unit, day)
    return override


def remove_override(session: Session, override_id: uuid.UUID, *, actor: str, now: datetime) -> None:
    override = session.get(CalendarOverride, override_id)
    if override is None:
        raise OverrideNotFoundError(f"no calendar override {override_id}")
    unit = session.get(OrgUnit, override.unit_id) if override.unit_id is not None else None
    _audit(session, override, "attendance.calendar.removed", actor=actor, now=now)
    session.delete(override)
    session.flush()
    _invalidate(session, unit, override.day)


@dataclass(frozen=True)
class CalendarDay:
    day: date
    kind: OverrideKind
    name: str
    source: str  # "national" or "local"
    override_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None


def year_calendar(
    session: Session,
    year: int,
    *,
    source: str | None = None,
    kind: OverrideKind | None = None,
) -> list[CalendarDay]:
    """The national calendar of ``year`` and every local override, day by day; only
    those from ``source`` ("national", "local") or of ``kind`` when given."""
    national = national_year(year)
    days = [
        CalendarDay(day, OverrideKind.HOLIDAY, name, "national")
        for day, name in national.days_off.items()
    ]
    days += [
        CalendarDay(day, OverrideKind.WORKDAY, "Ngày làm việc bù", "national")
        for day in national.working_weekends
    ]
    days += [
        CalendarDay(row.day, row.kind, row.name, "local", row.id, row.unit_id)
        for row in session.scalars(
            select(CalendarOverride).where(
                CalendarOverride.day.between(date(year, 1, 1), date(year, 12, 31))
            )
        )
    ]
    chosen = [
        d
        for d in days
        if (source is None or d.source == source) and (kind is None or d.kind is kind)
    ]
    return sorted(chosen, key=lambda d: (d.day, d.source, str(d.unit_id or "")))


def _invalidate(session: Session, unit: OrgUnit | None, day: date) -> None:
    scope = (
        staff_in_unit(unit)
        if unit is not None
        else select(Holder.id).where(Holder.kind == HolderKind.STAFF)
    )
    invalidate_days(session, scope, day, day)


def _audit(
    session: Session, override: CalendarOverride, action: str, *, actor: str, now: datetime
) -> None:
    record(
        session,
        actor=actor,
        action=action,
        object_type="calendar_override",
        object_id=override.id,
        data={
            "day": override.day.isoformat(),
            "unit_id": str(override.unit_id) if override.unit_id else None,
            "kind": override.kind.value,
            "name": override.name,
        },
        now=now,
    )
