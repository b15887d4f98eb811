"""The monthly timesheet of a unit (bảng chấm công), read from the day roll-ups."""

from __future__ import annotations

import calendar as gregorian
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.attendance.month_sql import MonthFigures, month_figures
from card_service.attendance.rollup import CHUNK, recompute, today
from card_service.attendance.scope import staff_in_unit
from card_service.attendance.timesheet_codes import LEGEND, DayFigures, day_code
from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit

__all__ = ["LEGEND", "DayFigures", "Timesheet", "TimesheetRow", "day_code", "monthly_timesheet"]


@dataclass(frozen=True)
class TimesheetRow:
    holder_id: uuid.UUID
    staff_number: str
    full_name: str
    unit_name: str
    codes: tuple[str, ...]
    days_present: int
    late_count: int
    late_minutes: int
    early_count: int
    early_minutes: int
    missing_checkouts: int
    absent_days: int
    leave_days: int
    holidays: int
    worked_minutes: int
    overtime_minutes: int


@dataclass(frozen=True)
class Timesheet:
    unit_id: uuid.UUID
    unit_name: str
    year: int
    month: int
    days: tuple[date, ...]
    rows: tuple[TimesheetRow, ...]


def month_days(year: int, month: int) -> tuple[date, ...]:
    count = gregorian.monthrange(year, month)[1]
    return tuple(date(year, month, day) for day in range(1, count + 1))


EMPTY = MonthFigures(0, {}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def monthly_timesheet(
    session: Session, unit: OrgUnit, year: int, month: int, *, now: datetime
) -> Timesheet:
    """Every staff member of ``unit`` (and below) with one cell per day and the totals.

    Days that are over and have no roll-up yet are computed first (they are found from
    the same aggregate: a person with fewer rows than days), so the sheet is never stale.
    """
    days = month_days(year, month)
    scope = staff_in_unit(unit)
    people = session.execute(
        select(Holder.id, Holder.staff_number, Holder.full_name, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Holder.unit_id)
        .where(Holder.id.in_(scope))
        .order_by(Holder.staff_number, Holder.full_name, Holder.id)
    ).all()
    figures = month_figures(session, scope, days[0], days[-1])
    last = min(days[-1], today(now) - timedelta(days=1))
    due = (last - days[0]).days + 1
    # In id order: recompute locks holders in that order (no deadlock between readers).
    stale = sorted(row[0] for row in people if figures.get(row[0], EMPTY).days_computed < due)
    if stale:
        for start in range(0, len(stale), CHUNK):
            recompute(session, stale[start : start + CHUNK], days[0], last, now=now)
        figures = month_figures(session, scope, days[0], days[-1])
    rows = tuple(
        _row((holder_id, staff_number or "", name, unit_name), days, figures.get(holder_id, EMPTY))
        for holder_id, staff_number, name, unit_name in people
    )
    return Timesheet(unit.id, unit.name, year, month, days, rows)


def _row(
    person: tuple[uuid.UUID, str, str, str], days: tuple[date, ...], figures: MonthFigures
) -> TimesheetRow:
    holder_id, staff_number, full_name, unit_name = person
    return TimesheetRow(
        holder_id=holder_id,
        staff_number=staff_number,
        full_name=full_name,
        unit_name=unit_name,
        codes=tuple(figures.codes.get(day.day, "") for day in days),
        days_present=figures.days_present,
        late_count=figures.late_count,
        late_minutes=figures.late_minutes,
        early_count=figures.early_count,
        early_minutes=figures.early_minutes,
        missing_checkouts=figures.missing_checkouts,
        absent_days=figures.absent_days,
        leave_days=figures.leave_days,
        holidays=figures.holidays,
        worked_minutes=figures.worked_minutes,
        overtime_minutes=figures.overtime_minutes,
    )
