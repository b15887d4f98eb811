"""From a schedule and the calendar to one day's plan (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from card_service.attendance.calendar import WorkCalendar
from card_service.attendance.compute import DayPlan, Period, Rules, local_midnight
from card_service.attendance.kinds import DayKind, LeaveType, OverrideKind

MONDAY = 0


@dataclass(frozen=True)
class ScheduleSpec:
    """A schedule as the computation needs it: periods per weekday in minutes after
    local midnight (end may pass 1440), the rules, and the day boundary."""

    periods: Mapping[int, tuple[tuple[int, int], ...]]
    rules: Rules
    day_boundary_minute: int = 0

    def periods_of(self, weekday: int) -> tuple[tuple[int, int], ...]:
        return self.periods.get(weekday, ())

    def first_working_weekday(self) -> int:
        working = sorted(day for day, periods in self.periods.items() if periods)
        return working[0] if working else MONDAY


# The statutory office hours of state agencies, used when no unit above a holder has a
# schedule of its own: Monday to Friday 07:30-11:30 and 13:30-17:00.
OFFICE_HOURS = ScheduleSpec(
    periods=dict.fromkeys(range(5), ((450, 690), (810, 1020))),
    rules=Rules(),
)


def plan_day(
    day: date,
    schedule: ScheduleSpec,
    calendar: WorkCalendar,
    *,
    leave_type: LeaveType | None = None,
    rostered: bool = False,
) -> DayPlan:
    """The plan of ``day``. ``rostered`` (a shift assigned for the day) means the person
    works the shift whatever the calendar says."""
    own = schedule.periods_of(day.weekday())
    entry = None if rostered else calendar.entry(day)
    if entry is not None and entry.kind is OverrideKind.HOLIDAY:
        return _plan(
            day,
            DayKind.HOLIDAY,
            minutes=(),
            schedule=schedule,
            leave_type=leave_type,
            holiday_name=entry.name,
        )
    if entry is not None and not own:
        weekday = entry.follows_weekday
        if weekday is None:
            weekday = schedule.first_working_weekday()
        borrowed = schedule.periods_of(weekday)
        if borrowed:
            return _plan(
                day,
                DayKind.COMPENSATORY_WORKDAY,
                minutes=borrowed,
                schedule=schedule,
                leave_type=leave_type,
            )
    if own:
        return _plan(day, DayKind.WORKDAY, minutes=own, schedule=schedule, leave_type=leave_type)
    return _plan(day, DayKind.REST_DAY, minutes=(), schedule=schedule, leave_type=leave_type)


def _plan(
    day: date,
    kind: DayKind,
    *,
    minutes: tuple[tuple[int, int], ...],
    schedule: ScheduleSpec,
    leave_type: LeaveType | None,
    holiday_name: str | None = None,
) -> DayPlan:
    midnight = local_midnight(day)
    periods = tuple(
        Period(midnight + timedelta(minutes=start), midnight + timedelta(minutes=end))
        for start, end in minutes
    )
    # Leave only means something on a day the person was expected to work.
    working = kind in (DayKind.WORKDAY, DayKind.COMPENSATORY_WORKDAY)
    return DayPlan(
        day=day,
        kind=kind,
        periods=periods,
        rules=schedule.rules,
        holiday_name=holiday_name,
        leave_type=leave_type if working else None,
    )
