"""Golden scenarios: raw taps in, the expected day table out (SQLite and PostgreSQL).

Each expected row reads (day, kind, status, first in, last out, worked, late, early
leave, overtime, timesheet code); times are "day HH:MM" in Huế. Office hours are
Monday to Friday 07:30-11:30 and 13:30-17:00 with 5 minutes' grace, a 5-minute
debounce and overtime counted from 30 minutes.
"""

from __future__ import annotations

from datetime import date, timedelta

from card_service.attendance.schedules import (
    PeriodSpec,
    ScheduleRules,
    assign_unit_schedule,
    create_schedule,
)
from card_service.attendance.timesheet import monthly_timesheet
from reader_protocol.events import TapKind
from tests.card_service.attendance.conftest import table, vn


def test_late_arrival_and_arrival_within_grace(office) -> None:
    office.tap(vn(2026, 3, 2, 7, 50), vn(2026, 3, 2, 17, 5))
    office.tap(vn(2026, 3, 3, 7, 34), vn(2026, 3, 3, 16, 40))
    rows = office.days(date(2026, 3, 2), date(2026, 3, 3), now=vn(2026, 3, 4, 9))
    assert table(rows) == [
        ("2026-03-02", "workday", "present", "02 07:50", "02 17:05", 430, 20, 0, 0, "X"),
        ("2026-03-03", "workday", "present", "03 07:34", "03 16:40", 426, 0, 20, 0, "X"),
    ]


def test_forgotten_check_out(office) -> None:
    office.tap(vn(2026, 3, 2, 7, 28))
    rows = office.days(date(2026, 3, 2), date(2026, 3, 2), now=vn(2026, 3, 3, 9))
    assert table(rows) == [
        ("2026-03-02", "workday", "incomplete", "02 07:28", "", 0, 0, 0, 0, "KR"),
    ]
    assert rows[0].missing_checkout is True


def test_double_taps_two_minutes_apart_count_once(office) -> None:
    office.tap(vn(2026, 3, 2, 7, 25), vn(2026, 3, 2, 7, 27))
    office.tap(vn(2026, 3, 2, 17, 2), vn(2026, 3, 2, 17, 4))
    rows = office.days(date(2026, 3, 2), date(2026, 3, 2), now=vn(2026, 3, 3, 9))
    assert table(rows) == [
        ("2026-03-02", "workday", "present", "02 07:25", "02 17:02", 450, 0, 0, 0, "X"),
    ]
    assert rows[0].tap_count == 2


def test_lunch_taps_at_a_single_reader_office_do_not_end_the_day(office) -> None:
    office.tap(
        vn(2026, 3, 2, 7, 29), vn(2026, 3, 2, 11, 31), vn(2026, 3, 2, 13, 28), vn(2026, 3, 2, 18)
    )
    rows = office.days(date(2026, 3, 2), date(2026, 3, 2), now=vn(2026, 3, 3, 9))
    assert table(rows) == [
        ("2026-03-02", "workday", "present", "02 07:29", "02 18:00", 450, 0, 0, 60, "X"),
    ]


def test_explicit_directions_at_a_two_reader_office(office) -> None:
    office.tap(vn(2026, 3, 2, 6, 50), kind=TapKind.ATTENDANCE_OUT)  # stray exit tap
    office.tap(vn(2026, 3, 2, 7, 31), kind=TapKind.ATTENDANCE_IN)
    office.tap(vn(2026, 3, 2, 16, 30), kind=TapKind.ATTENDANCE_OUT)
    office.tap(vn(2026, 3, 2, 16, 45), kind=TapKind.ATTENDANCE_IN)  # came back for a file
    rows = office.days(date(2026, 3, 2), date(2026, 3, 2), now=vn(2026, 3, 3, 9))
    assert table(rows) == [
        ("2026-03-02", "workday", "present", "02 07:31", "02 16:30", 419, 0, 30, 0, "X"),
    ]


def test_absence_and_weekend(office) -> None:
    rows = office.days(date(2026, 3, 6), date(2026, 3, 8), now=vn(2026, 3, 9, 9))
    assert table(rows) == [
        ("2026-03-06", "workday", "absent", "", "", 0, 0, 0, 0, "V"),
        ("2026-03-07", "rest_day", "off", "", "", 0, 0, 0, 0, ""),
        ("2026-03-08", "rest_day", "off", "", "", 0, 0, 0, 0, ""),
    ]


def test_public_holidays_with_lunar_and_observed_dates(office) -> None:
    # 2026: Hùng Kings' day (10/3 lunar) is Sunday 26 April, observed Monday 27 April.
    office.tap(vn(2026, 4, 30, 8), vn(2026, 4, 30, 11))  # came in on Reunification Day
    rows = office.days(date(2026, 4, 26), date(2026, 5, 1), now=vn(2026, 5, 4, 9))
    assert table(rows) == [
        ("2026-04-26", "holiday", "off", "", "", 0, 0, 0, 0, "L"),
        ("2026-04-27", "holiday", "off", "", "", 0, 0, 0, 0, "L"),
        ("2026-04-28", "workday", "absent", "", "", 0, 0, 0, 0, "V"),
        ("2026-04-29", "workday", "absent", "", "", 0, 0, 0, 0, "V"),
        ("2026-04-30", "holiday", "present", "30 08:00", "30 11:00", 0, 0, 0, 180, "T"),
        ("2026-05-01", "holiday", "off", "", "", 0, 0, 0, 0, "L"),
    ]
    assert rows[0].holiday_name == "Ngày Giỗ Tổ Hùng Vương"


def test_tet_follows_the_lunar_calendar(office) -> None:
    rows = office.days(date(2026, 2, 13), date(2026, 2, 23), now=vn(2026, 2, 24, 9))
    holidays = [row.day.isoformat() for row in rows if row.kind.value == "holiday"]
    assert holidays == ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"]


def test_a_compensatory_saturday(office) -> None:
    # 2025: Saturday 26 April was worked in exchange for Friday 2 May off.
    office.tap(vn(2025, 4, 26, 7, 30), vn(2025, 4, 26, 17))
    rows = office.days(date(2025, 4, 26), date(2025, 5, 2), now=vn(2025, 5, 5, 9))
    assert table(rows) == [
        (
            "2025-04-26",
            "compensatory_workday",
            "present",
            "26 07:30",
            "26 17:00",
            450,
            0,
            0,
            0,
            "X",
        ),
        ("2025-04-27", "rest_day", "off", "", "", 0, 0, 0, 0, ""),
        ("2025-04-28", "workday", "absent", "", "", 0, 0, 0, 0, "V"),
        ("2025-04-29", "workday", "absent", "", "", 0, 0, 0, 0, "V"),
        ("2025-04-30", "holiday", "off", "", "", 0, 0, 0, 0, "L"),
        ("2025-05-01", "holiday", "off", "", "", 0, 0, 0, 0, "L"),
        ("2025-05-02", "holiday", "off", "", "", 0, 0, 0, 0, "L"),
    ]


def test_events_arriving_three_days_late_update_the_report(office) -> None:
    monday = date(2026, 3, 9)
    before = office.days(monday, monday, now=vn(2026, 3, 10, 9))
    assert table(before) == [("2026-03-09", "workday", "absent", "", "", 0, 0, 0, 0, "V")]

    # The reader was offline; its outbox reaches the service on Thursday.
    office.tap(vn(2026, 3, 9, 7, 40), vn(2026, 3, 9, 17, 1), uploaded_at=vn(2026, 3, 12, 10))

    after = office.days(monday, monday, now=vn(2026, 3, 12, 10))
    assert table(after) == [
        ("2026-03-09", "workday", "present", "09 07:40", "09 17:01", 440, 10, 0, 0, "X"),
    ]
    sheet = monthly_timesheet(office.session, office.unit, 2026, 3, now=vn(2026, 3, 12, 10))
    assert sheet.rows[0].codes[8] == "X"


def test_a_reader_clock_ten_minutes_fast_is_corrected(office) -> None:
    ahead = timedelta(minutes=10)
    office.tap(vn(2026, 3, 2, 7, 28), clock_ahead=ahead)
    office.tap(vn(2026, 3, 2, 17, 1), clock_ahead=ahead)
    rows = office.days(date(2026, 3, 2), date(2026, 3, 2), now=vn(2026, 3, 3, 9))
    # Uncorrected, the reader's 07:38 would be a late arrival.
    assert table(rows) == [
        ("2026-03-02", "workday", "present", "02 07:28", "02 17:01", 450, 0, 0, 0, "X"),
    ]


def test_overnight_shift_across_midnight_and_month_end(office, session) -> None:
    night = create_schedule(
        session,
        code="night",
        name="Ca đêm",
        periods=[PeriodSpec(weekday, 22 * 60, 30 * 60) for weekday in range(7)],
        rules=ScheduleRules(day_boundary_minute=12 * 60),
        actor="user:admin",
        now=vn(2020, 1, 1),
    )
    assign_unit_schedule(session, office.unit, night, actor="user:admin", now=vn(2026, 1, 1))
    office.tap(vn(2026, 1, 30, 21, 50), vn(2026, 1, 31, 6, 5))
    office.tap(vn(2026, 1, 31, 22, 20), vn(2026, 2, 1, 6, 0))
    rows = office.days(date(2026, 1, 30), date(2026, 2, 1), now=vn(2026, 2, 2, 13))
    assert table(rows) == [
        ("2026-01-30", "workday", "present", "30 21:50", "31 06:05", 480, 0, 0, 0, "X"),
        ("2026-01-31", "workday", "present", "31 22:20", "01 06:00", 460, 20, 0, 0, "X"),
        ("2026-02-01", "workday", "absent", "", "", 0, 0, 0, 0, "V"),
    ]
    january = monthly_timesheet(session, office.unit, 2026, 1, now=vn(2026, 2, 2, 13))
    february = monthly_timesheet(session, office.unit, 2026, 2, now=vn(2026, 2, 2, 13))
    assert january.rows[0].codes[-2:] == ("X", "X")
    assert january.rows[0].worked_minutes == 940
    assert february.rows[0].codes[:2] == ("V", "")  # 2 February is not computed yet
