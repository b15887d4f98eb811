"""The monthly timesheet of a unit (bảng chấm công), read from the day roll-ups."""

from __future__ import annotations

import calendar as gregorian
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from card_service.attendance.kinds import DayStatus, LeaveType
from card_service.attendance.models import AttendanceDay
from card_service.attendance.rollup import ensure_computed
from card_service.attendance.scope import staff_in_unit
from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit

# The symbols of a Vietnamese timesheet, one per day cell.
LEAVE_CODES = {
    LeaveType.ANNUAL: "P",  # nghỉ phép
    LeaveType.SICK: "Ô",  # ốm
    LeaveType.MATERNITY: "TS",  # thai sản
    LeaveType.BUSINESS_TRIP: "CT",  # công tác
    LeaveType.UNPAID: "KL",  # không lương
    LeaveType.OTHER: "R",  # việc riêng
}
LEGEND = {
    "X": "Có mặt (đủ công)",
    "KR": "Thiếu chấm ra hoặc chấm vào",
    "V": "Vắng không lý do",
    "L": "Nghỉ lễ, Tết",
    "T": "Làm thêm ngày nghỉ",
    "": "Ngày nghỉ hằng tuần hoặc chưa đến",
    **{code: f"Nghỉ: {leave.value}" for leave, code in LEAVE_CODES.items()},
}


@dataclass(frozen=True)
class DayFigures:
    status: str
    kind: str
    leave_type: str | None
    worked: int
    late: int
    early: int
    overtime: int
    missing_checkout: bool


def day_code(figures: DayFigures) -> str:
    if figures.status == DayStatus.LEAVE and figures.leave_type is not None:
        return LEAVE_CODES[LeaveType(figures.leave_type)]
    if figures.status == DayStatus.PRESENT:
        return "X" if figures.kind in ("workday", "compensatory_workday") else "T"
    if figures.status == DayStatus.INCOMPLETE:
        return "KR"
    if figures.status == DayStatus.ABSENT:
        return "V"
    return "L" if figures.kind == "holiday" else ""


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


def monthly_timesheet(
    session: Session, unit: OrgUnit, year: int, month: int, *, now: datetime
) -> Timesheet:
    """Every staff member of ``unit`` (and below) with one cell per day and the totals."""
    days = month_days(year, month)
    scope = staff_in_unit(unit)
    ensure_computed(session, scope, days[0], days[-1], now=now)
    people = session.execute(
        select(Holder.id, Holder.staff_number, Holder.full_name, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Holder.unit_id)
        .where(Holder.id.in_(scope))
        .order_by(Holder.staff_number, Holder.full_name, Holder.id)
    ).all()
    figures = _figures(session, scope, days[0], days[-1])
    rows = tuple(
        _row(
            Person(holder_id, staff_number or "", name, unit_name),
            days,
            figures.get(holder_id, {}),
        )
        for holder_id, staff_number, name, unit_name in people
    )
    return Timesheet(unit.id, unit.name, year, month, days, rows)


def _figures(
    session: Session, scope: Any, first: date, last: date
) -> dict[uuid.UUID, dict[date, DayFigures]]:
    # Enum columns read as plain strings: the report touches every day of every person,
    # and building enum members for each would cost more than the query.
    d = AttendanceDay
    result = session.execute(
        select(
            d.holder_id,
            d.day,
            type_coerce(d.status, String),
            type_coerce(d.kind, String),
            type_coerce(d.leave_type, String),
            d.worked_minutes,
            d.late_minutes,
            d.early_leave_minutes,
            d.overtime_minutes,
            d.missing_checkout,
        ).where(d.holder_id.in_(scope), d.day.between(first, last))
    )
    by_holder: dict[uuid.UUID, dict[date, DayFigures]] = {}
    for holder_id, day, *values in result:
        by_holder.setdefault(holder_id, {})[day] = DayFigures(*values)
    return by_holder


@dataclass(frozen=True)
class Person:
    holder_id: uuid.UUID
    staff_number: str
    full_name: str
    unit_name: str


def _row(person: Person, days: Iterable[date], figures: dict[date, DayFigures]) -> TimesheetRow:
    known = list(figures.values())
    return TimesheetRow(
        holder_id=person.holder_id,
        staff_number=person.staff_number,
        full_name=person.full_name,
        unit_name=person.unit_name,
        codes=tuple(day_code(figures[day]) if day in figures else "" for day in days),
        days_present=sum(
            1
            for f in known
            if f.status == DayStatus.PRESENT and f.kind in ("workday", "compensatory_workday")
        ),
        late_count=sum(1 for f in known if f.late > 0),
        late_minutes=sum(f.late for f in known),
        early_count=sum(1 for f in known if f.early > 0),
        early_minutes=sum(f.early for f in known),
        missing_checkouts=sum(1 for f in known if f.missing_checkout),
        absent_days=sum(1 for f in known if f.status == DayStatus.ABSENT),
        leave_days=sum(1 for f in known if f.status == DayStatus.LEAVE),
        holidays=sum(1 for f in known if f.kind == "holiday"),
        worked_minutes=sum(f.worked for f in known),
        overtime_minutes=sum(f.overtime for f in known),
    )
