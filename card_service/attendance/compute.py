"""The attendance of one holder on one day, as a pure function of its inputs.

Nothing here touches a database or a clock: ``compute_day`` takes the day's plan (what
the calendar and the schedule expect) and the taps attributed to the day, and returns
the result that the roll-up table stores. Tests, the roll-up and the benchmark all run
this same function.

Rules (docs/attendance.md):
- taps closer than the debounce window to the last counted tap count once;
- a tap without direction (single-reader office) is a check-in if it is the first
  counted tap of the day and a check-out if it is the last; taps in between (lunch)
  only show that the person was there;
- late = first check-in minus the first period's start, when beyond the grace period;
  early leave = last period's end minus the last check-out, when beyond the grace period;
- worked = presence [first in, last out] overlapped with the scheduled periods;
- overtime = presence after the last period's end (on a rest day or holiday: all of the
  presence) when it reaches the overtime threshold;
- every duration is counted in whole minutes, rounded down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from card_service.attendance.kinds import DayKind, DayStatus, Direction, LeaveType

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class Tap:
    """A granted attendance tap: ``at`` is UTC on the service's clock (reader offset
    already applied); ``direction`` None means the reader does not know it."""

    at: datetime
    direction: Direction | None = None


@dataclass(frozen=True)
class Rules:
    grace_late: timedelta = timedelta(minutes=5)
    grace_early: timedelta = timedelta(minutes=5)
    debounce: timedelta = timedelta(minutes=5)
    overtime_threshold: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class DayPlan:
    """What one day expects of one holder."""

    day: date
    kind: DayKind
    periods: tuple[Period, ...]
    rules: Rules
    holiday_name: str | None = None
    leave_type: LeaveType | None = None

    def __post_init__(self) -> None:
        if self.is_working and not self.periods:
            raise ValueError(f"a working day needs at least one period ({self.day})")

    @property
    def is_working(self) -> bool:
        return self.kind in (DayKind.WORKDAY, DayKind.COMPENSATORY_WORKDAY)

    @property
    def expected_minutes(self) -> int:
        if not self.is_working:
            return 0
        return sum(_minutes(p.end - p.start) for p in self.periods)


@dataclass(frozen=True)
class DayResult:
    status: DayStatus
    first_in: datetime | None
    last_out: datetime | None
    worked_minutes: int
    late_minutes: int
    early_leave_minutes: int
    overtime_minutes: int
    missing_checkout: bool
    missing_checkin: bool
    tap_count: int


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def window_start(day: date, boundary_minute: int) -> datetime:
    """Where ``day``'s attendance window opens: local midnight plus the boundary."""
    return local_midnight(day) + timedelta(minutes=boundary_minute)


def debounce(taps: Sequence[Tap], window: timedelta) -> list[Tap]:
    """Drop taps that follow the last counted tap by ``window`` or less."""
    kept: list[Tap] = []
    for tap in sorted(taps, key=lambda t: t.at):
        if kept and tap.at - kept[-1].at <= window:
            continue
        kept.append(tap)
    return kept


def presence(taps: Sequence[Tap]) -> tuple[datetime | None, datetime | None]:
    """First check-in and last check-out among counted (debounced, sorted) taps."""
    ins = [t.at for t in taps if t.direction is not Direction.OUT]
    first_in = ins[0] if ins else None
    outs = [
        t.at
        for t in taps
        if t.direction is not Direction.IN and (first_in is None or t.at > first_in)
    ]
    return first_in, (outs[-1] if outs else None)


def compute_day(plan: DayPlan, taps: Sequence[Tap]) -> DayResult:
    counted = debounce(taps, plan.rules.debounce)
    first_in, last_out = presence(counted)
    base = DayResult(
        status=DayStatus.PRESENT,
        first_in=first_in,
        last_out=last_out,
        worked_minutes=0,
        late_minutes=0,
        early_leave_minutes=0,
        overtime_minutes=0,
        missing_checkout=first_in is not None and last_out is None,
        missing_checkin=first_in is None and last_out is not None,
        tap_count=len(counted),
    )
    if plan.leave_type is not None:
        return _on_leave(plan, base)
    if not counted:
        status = DayStatus.ABSENT if plan.is_working else DayStatus.OFF
        return replace(base, status=status)
    if first_in is None or last_out is None:
        late = _late(plan, first_in) if first_in is not None else 0
        return replace(base, status=DayStatus.INCOMPLETE, late_minutes=late)
    if not plan.is_working:
        return replace(base, overtime_minutes=_over(plan.rules, last_out - first_in))
    return replace(
        base,
        worked_minutes=_minutes(_overlap(plan.periods, first_in, last_out)),
        late_minutes=_late(plan, first_in),
        early_leave_minutes=_early(plan, last_out),
        overtime_minutes=_over(plan.rules, last_out - plan.periods[-1].end),
    )


def _on_leave(plan: DayPlan, base: DayResult) -> DayResult:
    # A day of leave is a day of leave: taps are shown, nothing is late, early or missing.
    worked = 0
    if base.first_in is not None and base.last_out is not None:
        worked = _minutes(_overlap(plan.periods, base.first_in, base.last_out))
    return replace(
        base,
        status=DayStatus.LEAVE,
        worked_minutes=worked,
        missing_checkout=False,
        missing_checkin=False,
    )


def _late(plan: DayPlan, first_in: datetime) -> int:
    if not plan.is_working or not plan.periods:
        return 0
    start = plan.periods[0].start
    if first_in <= start + plan.rules.grace_late:
        return 0
    return _minutes(first_in - start)


def _early(plan: DayPlan, last_out: datetime) -> int:
    end = plan.periods[-1].end
    if last_out >= end - plan.rules.grace_early:
        return 0
    return _minutes(end - last_out)


def _over(rules: Rules, extra: timedelta) -> int:
    if extra < rules.overtime_threshold or extra <= timedelta(0):
        return 0
    return _minutes(extra)


def _overlap(periods: Sequence[Period], start: datetime, end: datetime) -> timedelta:
    total = timedelta(0)
    for period in periods:
        lo, hi = max(start, period.start), min(end, period.end)
        if hi > lo:
            total += hi - lo
    return total


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()) // 60)


# A reader's clock offset (measured when it uploads) is applied to its events when it
# is larger than network jitter and smaller than a day; beyond a day the reader's clock
# is broken rather than off, and its events are taken at the time they claim.
CLOCK_TOLERANCE = timedelta(seconds=30)
CLOCK_TRUST_LIMIT = timedelta(days=1)


def service_time(occurred_at: datetime, clock_offset_ms: int) -> datetime:
    """When a tap happened on the service's clock (reader clock minus its offset)."""
    return occurred_at - applied_offset(clock_offset_ms)


def applied_offset(clock_offset_ms: int) -> timedelta:
    """The part of a reader's measured clock offset that ``service_time`` subtracts."""
    offset = timedelta(milliseconds=clock_offset_ms)
    if CLOCK_TOLERANCE < abs(offset) <= CLOCK_TRUST_LIMIT:
        return offset
    return timedelta(0)


def attendance_day(at: datetime, boundary_minute: int) -> date:
    """The day whose window (starting ``boundary_minute`` after local midnight) holds
    ``at``, assuming both neighbouring days share the boundary."""
    local = at.astimezone(LOCAL_TZ) - timedelta(minutes=boundary_minute)
    return local.date()
