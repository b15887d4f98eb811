"""The monthly timesheet as one aggregate query over the day roll-ups.

A month of a big unit is a million roll-up rows; fetching them one by one costs more
than the database's own grouping. So the database groups by person: the totals as
sums, and the day cells as one string of "<day of month><code>" tokens. The code of
a day is the SQL twin of ``timesheet.day_code`` (tests/card_service/attendance/
test_timesheet_codes.py checks that the two agree on every combination).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    select,
)
from sqlalchemy.orm import Session

from card_service.attendance.kinds import DayKind, DayStatus
from card_service.attendance.models import AttendanceDay
from card_service.attendance.timesheet_codes import LEAVE_CODES

WORKING = (DayKind.WORKDAY.value, DayKind.COMPENSATORY_WORKDAY.value)


def code_sql(
    status: ColumnElement[Any], kind: ColumnElement[Any], leave_type: ColumnElement[Any]
) -> ColumnElement[Any]:
    """The timesheet code of a day; NULL where the cell stays empty."""
    leave_code = case(
        *((leave_type == leave.value, code) for leave, code in LEAVE_CODES.items()),
        else_=None,
    )
    return case(
        (and_(status == DayStatus.LEAVE.value, leave_type.is_not(None)), leave_code),
        (and_(status == DayStatus.PRESENT.value, kind.in_(WORKING)), "X"),
        (status == DayStatus.PRESENT.value, "T"),
        (status == DayStatus.INCOMPLETE.value, "KR"),
        (status == DayStatus.ABSENT.value, "V"),
        (kind == DayKind.HOLIDAY.value, "L"),
        else_=None,
    )


@dataclass(frozen=True)
class MonthFigures:
    days_computed: int
    codes: dict[int, str]  # day of month -> code (empty cells left out)
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


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _total(column: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(column), 0)


def month_query(scope: Select[Any], first: date, last: date) -> Select[Any]:
    d = AttendanceDay
    # Compare as plain strings: the enum columns' own processing is per row and useless
    # inside an aggregate.
    status, kind = cast(d.status, String), cast(d.kind, String)
    leave = cast(d.leave_type, String)
    token = cast(cast(extract("day", d.day), Integer), String) + code_sql(status, kind, leave)
    return (
        select(
            d.holder_id,
            func.count(),
            func.aggregate_strings(token, ","),
            _count(and_(status == DayStatus.PRESENT.value, kind.in_(WORKING))),
            _count(d.late_minutes > 0),
            _total(d.late_minutes),
            _count(d.early_leave_minutes > 0),
            _total(d.early_leave_minutes),
            _count(d.missing_checkout.is_(True)),
            _count(status == DayStatus.ABSENT.value),
            _count(status == DayStatus.LEAVE.value),
            _count(kind == DayKind.HOLIDAY.value),
            _total(d.worked_minutes),
            _total(d.overtime_minutes),
        )
        .where(d.holder_id.in_(scope), d.day.between(first, last))
        .group_by(d.holder_id)
    )


def month_figures(
    session: Session, scope: Select[Any], first: date, last: date
) -> dict[uuid.UUID, MonthFigures]:
    result = {}
    for holder_id, computed, tokens, *totals in session.execute(month_query(scope, first, last)):
        result[holder_id] = MonthFigures(computed, _parse(tokens), *(int(t) for t in totals))
    return result


def _parse(tokens: str | None) -> dict[int, str]:
    codes = {}
    for token in (tokens or "").split(","):
        split = 2 if token[1:2].isdigit() else 1
        if token:
            codes[int(token[:split])] = token[split:]
    return codes
