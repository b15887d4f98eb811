"""Leave and local calendar overrides are data: editing them recomputes the days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from card_service.attendance.calendar import CalendarEntry
from card_service.attendance.kinds import LeaveType, OverrideKind
from card_service.attendance.leave import add_leave, remove_leave
from card_service.attendance.overrides import remove_override, set_override, year_calendar
from card_service.audit.models import AuditEntry
from tests.card_service.attendance.conftest import table, vn

NOW = vn(2026, 3, 20, 9)


def test_leave_marks_the_days_and_can_be_withdrawn(office, session) -> None:
    first, last = date(2026, 3, 5), date(2026, 3, 9)
    assert [r.status.value for r in office.days(first, last, now=NOW)] == [
        "absent",
        "absent",
        "off",
        "off",
        "absent",
    ]
    leave = add_leave(
        session,
        holder=office.staff[0],
        leave_type=LeaveType.SICK,
        first_day=first,
        last_day=last,
        note="Giấy nghỉ ốm",
        actor="user:hr",
        now=NOW,
    )
    assert table(office.days(first, last, now=NOW)) == [
        ("2026-03-05", "workday", "leave", "", "", 0, 0, 0, 0, "Ô"),
        ("2026-03-06", "workday", "leave", "", "", 0, 0, 0, 0, "Ô"),
        ("2026-03-07", "rest_day", "off", "", "", 0, 0, 0, 0, ""),
        ("2026-03-08", "rest_day", "off", "", "", 0, 0, 0, 0, ""),
        ("2026-03-09", "workday", "leave", "", "", 0, 0, 0, 0, "Ô"),
    ]
    remove_leave(session, leave.id, actor="user:hr", now=NOW)
    assert office.days(first, first, now=NOW)[0].status.value == "absent"
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == leave.id).order_by(AuditEntry.seq)
    ).all()
    assert actions == ["attendance.leave.added", "attendance.leave.removed"]


def test_local_overrides_add_days_off_and_working_days(office, session) -> None:
    friday, saturday = date(2026, 3, 13), date(2026, 3, 14)
    assert [r.kind.value for r in office.days(friday, saturday, now=NOW)] == [
        "workday",
        "rest_day",
    ]
    set_override(
        session,
        day=friday,
        entry=CalendarEntry(OverrideKind.HOLIDAY, "Nghỉ Festival Huế"),
        unit=office.unit,
        actor="user:admin",
        now=NOW,
    )
    swap = set_override(
        session,
        day=saturday,
        entry=CalendarEntry(OverrideKind.WORKDAY, "Làm bù", follows_weekday=4),
        unit=None,
        actor="user:admin",
        now=NOW,
    )
    rows = office.days(friday, saturday, now=NOW)
    assert [(r.kind.value, r.status.value, r.holiday_name) for r in rows] == [
        ("holiday", "off", "Nghỉ Festival Huế"),
        ("compensatory_workday", "absent", None),
    ]
    remove_override(session, swap.id, actor="user:admin", now=NOW)
    assert office.days(saturday, saturday, now=NOW)[0].kind.value == "rest_day"


def test_a_local_override_can_cancel_a_national_holiday(office, session) -> None:
    set_override(
        session,
        day=date(2026, 4, 27),
        entry=CalendarEntry(OverrideKind.WORKDAY, "Trực lễ"),
        unit=office.unit,
        actor="user:admin",
        now=NOW,
    )
    (row,) = office.days(date(2026, 4, 27), date(2026, 4, 27), now=vn(2026, 4, 28, 9))
    assert row.kind.value == "workday"


def test_the_year_calendar_lists_national_and_local_days(office, session) -> None:
    set_override(
        session,
        day=date(2026, 6, 1),
        entry=CalendarEntry(OverrideKind.HOLIDAY, "Nghỉ địa phương"),
        unit=None,
        actor="user:admin",
        now=NOW,
    )
    days = {(d.day.isoformat(), d.source): d.name for d in year_calendar(session, 2026)}
    assert days[("2026-02-17", "national")] == "Tết Nguyên Đán"
    assert days[("2026-09-02", "national")] == "Quốc khánh"
    assert days[("2026-08-22", "national")] == "Ngày làm việc bù"
    assert days[("2026-06-01", "local")] == "Nghỉ địa phương"
