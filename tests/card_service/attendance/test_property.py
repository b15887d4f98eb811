"""The timesheet equals a brute-force recomputation from the raw events.

The brute force below is written from the rules in docs/attendance.md, independently
of card_service.attendance: calendar days (office hours end before midnight), the
national calendar straight from the holidays package, debounce against the last
counted tap, first non-exit tap in, last non-entry tap after it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from card_service.attendance.timesheet import monthly_timesheet
from reader_protocol.events import Decision, TapKind
from tests.card_service.attendance.conftest import HUE, vn
from tests.card_service.events.factories import tap

YEAR, MONTH = 2026, 4
FIRST_TAP_DAY, LAST_TAP_DAY = 20, 30  # spans Hùng Kings' (observed 27th) and 30 April
NOW = vn(2026, 5, 5, 9)
PERIODS = ((7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60))
GRACE = timedelta(minutes=5)
DEBOUNCE = timedelta(minutes=5)
OVERTIME = timedelta(minutes=30)


@dataclass(frozen=True)
class RawTap:
    holder: int
    at: datetime
    kind: TapKind
    decision: Decision


raw_taps = st.builds(
    RawTap,
    holder=st.integers(0, 1),
    at=st.builds(
        lambda day, second: vn(YEAR, MONTH, day) + timedelta(seconds=second),
        st.integers(FIRST_TAP_DAY, LAST_TAP_DAY),
        st.integers(5 * 3600, 20 * 3600),
    ),
    kind=st.sampled_from([TapKind.ATTENDANCE, TapKind.ATTENDANCE_IN, TapKind.ATTENDANCE_OUT]),
    decision=st.sampled_from([Decision.GRANTED] * 5 + [Decision.DENIED]),
)


# Repeated taps are what the debounce is for: a tap is often followed by another
# within a few minutes, at the same or another reader.
def _flatten(groups: list[tuple[RawTap, list[int]]]) -> list[RawTap]:
    # One tap per holder and instant: simultaneous taps have no defined order.
    seen: dict[tuple[int, datetime], RawTap] = {}
    for base, echoes in groups:
        for echo in {0, *echoes}:
            moment = base.at + timedelta(seconds=echo)
            seen.setdefault(
                (base.holder, moment), RawTap(base.holder, moment, base.kind, base.decision)
            )
    return list(seen.values())


tap_groups = st.lists(
    st.tuples(raw_taps, st.lists(st.integers(1, 600), max_size=2)), max_size=25
).map(_flatten)


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()) // 60)


def brute_force(taps: list[RawTap], holder: int) -> dict[str, object]:
    national = holidays.country_holidays("VN", years=YEAR)
    mine = {t.at: t.kind for t in taps if t.holder == holder and t.decision is Decision.GRANTED}
    codes = []
    totals = dict.fromkeys(
        ["present", "late_n", "late", "early_n", "early", "missing", "absent", "worked", "ot"], 0
    )
    day = date(YEAR, MONTH, 1)
    while day.month == MONTH:
        holiday = day in national
        working = not holiday and (day.weekday() < 5 or day in national.weekend_workdays)
        on_day = sorted(m for m in mine if m.astimezone(HUE).date() == day)
        codes.append(_brute_day(on_day, mine, day, holiday=holiday, working=working, totals=totals))
        day += timedelta(days=1)
    return {"codes": tuple(codes), **totals}


def _brute_day(on_day, kinds, day, *, holiday, working, totals) -> str:
    kept: list[datetime] = []
    for moment in on_day:
        if not kept or moment - kept[-1] > DEBOUNCE:
            kept.append(moment)
    ins = [m for m in kept if kinds[m] is not TapKind.ATTENDANCE_OUT]
    first_in = ins[0] if ins else None
    outs = [
        m
        for m in kept
        if kinds[m] is not TapKind.ATTENDANCE_IN and (first_in is None or m > first_in)
    ]
    last_out = outs[-1] if outs else None
    midnight = datetime(day.year, day.month, day.day, tzinfo=HUE)
    spans = [(midnight + timedelta(minutes=a), midnight + timedelta(minutes=b)) for a, b in PERIODS]
    if working and first_in is not None and first_in > spans[0][0] + GRACE:
        totals["late_n"] += 1
        totals["late"] += _minutes(first_in - spans[0][0])
    if not kept:
        totals["absent"] += working
        return "V" if working else ("L" if holiday else "")
    if first_in is None or last_out is None:
        totals["missing"] += first_in is not None
        return "KR"
    if working:
        seconds = sum(
            max(0.0, (min(last_out, b) - max(first_in, a)).total_seconds()) for a, b in spans
        )
        totals["worked"] += int(seconds) // 60
        if last_out < spans[-1][1] - GRACE:
            totals["early_n"] += 1
            totals["early"] += _minutes(spans[-1][1] - last_out)
        extra = last_out - spans[-1][1]
    else:
        extra = last_out - first_in
    if extra >= OVERTIME:
        totals["ot"] += _minutes(extra)
    totals["present"] += working
    return "X" if working else "T"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(taps=tap_groups)
def test_timesheet_equals_brute_force(office, taps) -> None:
    session = office.session
    nested = session.begin_nested()
    try:
        events = [
            tap(t.at, holder=office.staff[t.holder], kind=t.kind, decision=t.decision) for t in taps
        ]
        # Taps are truncated to milliseconds on the way in; the brute force sees the same.
        taps = [
            RawTap(t.holder, e.occurred_at, t.kind, t.decision)
            for t, e in zip(taps, events, strict=True)
        ]
        for start in range(0, len(events), 15):  # several uploads, in any order
            office.tap_batch(events[start : start + 15], now=NOW)
        sheet = monthly_timesheet(session, office.unit, YEAR, MONTH, now=NOW)
        got = {
            row.staff_number: {
                "codes": row.codes,
                "present": row.days_present,
                "late_n": row.late_count,
                "late": row.late_minutes,
                "early_n": row.early_count,
                "early": row.early_minutes,
                "missing": row.missing_checkouts,
                "absent": row.absent_days,
                "worked": row.worked_minutes,
                "ot": row.overtime_minutes,
            }
            for row in sheet.rows
        }
        assert got == {"NV001": brute_force(taps, 0), "NV002": brute_force(taps, 1)}
    finally:
        nested.rollback()
