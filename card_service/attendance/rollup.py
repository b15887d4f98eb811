"""The per-day roll-up table: computing it, and invalidating it when inputs change.

A missing ``attendance_days`` row means "to be computed". Anything that changes a
day's inputs (a late event, a correction, leave, a calendar edit) deletes the affected
rows in the same transaction, and every reader of roll-ups first computes the rows
missing in its scope (``ensure_computed``), so a report is never stale and an upload
never waits for a recomputation (docs/attendance.md, "Roll-ups").
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from card_service.attendance.calendar import WorkCalendar
from card_service.attendance.compute import (
    CLOCK_TRUST_LIMIT,
    LOCAL_TZ,
    DayPlan,
    DayResult,
    Tap,
    compute_day,
    window_start,
)
from card_service.attendance.kinds import Direction
from card_service.attendance.models import AttendanceCorrection, AttendanceDay
from card_service.attendance.schedule import ScheduleSpec, plan_day
from card_service.attendance.sources import (
    ATTENDANCE_KINDS,
    HolderRef,
    corrections_in_force,
    leave_days,
    load_holders,
    overrides_for,
    shifts,
    taps_by_holder,
    unit_schedules,
)
from card_service.events.sql import array_literal, is_postgresql, member_of
from card_service.holders.models import Holder
from reader_protocol.events import Decision

CHUNK = 500  # holders computed per round trip set


def today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


_DELETE_PAIRS = text(
    "DELETE FROM attendance_days a "
    "USING unnest(CAST(:holders AS uuid[]), CAST(:days AS date[])) AS k(holder_id, day) "
    "WHERE a.holder_id = k.holder_id AND a.day = k.day"
)


def invalidate(session: Session, keys: Iterable[tuple[uuid.UUID, date]]) -> None:
    """Forget the roll-ups of these (holder, day) pairs; they are recomputed on read."""
    unique = list(set(keys))
    if not unique:
        return
    if is_postgresql(session):
        # Two array parameters instead of thousands of placeholders (events/sql.py).
        holders, days = zip(*unique, strict=True)
        session.execute(
            _DELETE_PAIRS, {"holders": array_literal(holders), "days": array_literal(days)}
        )
        return
    for start in range(0, len(unique), CHUNK):
        part = unique[start : start + CHUNK]
        session.execute(
            delete(AttendanceDay).where(
                tuple_(AttendanceDay.holder_id, AttendanceDay.day).in_(part)
            )
        )


def invalidate_taps(session: Session, taps: Iterable[tuple[uuid.UUID, datetime]]) -> None:
    """Invalidate the days new taps may belong to: their local day and the day before
    (a night shift's day runs into the next morning)."""
    keys = set()
    for holder_id, at in taps:
        day = at.astimezone(LOCAL_TZ).date()
        keys.add((holder_id, day))
        keys.add((holder_id, day - timedelta(days=1)))
    invalidate(session, keys)


def invalidate_taps_sql(taps: str) -> str:
    """``invalidate_taps`` as one PostgreSQL statement, for the bulk ingest: ``taps`` is
    a relation of new taps (holder_id, occurred_at, kind, decision); the statement takes
    ``%(applied_offset)s`` (an interval: ``compute.applied_offset`` of the upload)."""
    kinds = ", ".join(f"'{kind.value}'" for kind in ATTENDANCE_KINDS)
    return f"""
    DELETE FROM attendance_days a
    USING (
        SELECT DISTINCT t.holder_id, d.day
        FROM {taps} AS t
        CROSS JOIN LATERAL (
            SELECT CAST((t.occurred_at - %(applied_offset)s) AT TIME ZONE '{LOCAL_TZ.key}'
                        AS date) AS local_day
        ) AS l
        CROSS JOIN LATERAL (VALUES (l.local_day), (l.local_day - 1)) AS d (day)
        WHERE t.holder_id IS NOT NULL AND t.decision = '{Decision.GRANTED.value}'
          AND t.kind IN ({kinds})
    ) AS k
    WHERE a.holder_id = k.holder_id AND a.day = k.day
    """  # noqa: S608 - constants only; values are parameters


def invalidate_days(session: Session, holder_scope: Select[Any], first: date, last: date) -> None:
    """Forget the roll-ups of every holder in ``holder_scope`` from ``first`` to ``last``."""
    session.execute(
        delete(AttendanceDay).where(
            AttendanceDay.holder_id.in_(holder_scope), AttendanceDay.day.between(first, last)
        )
    )


def ensure_computed(
    session: Session, holder_scope: Select[Any], first: date, last: date, *, now: datetime
) -> int:
    """Compute the missing roll-ups of holders in ``holder_scope`` (a select of holder
    ids) from ``first`` to ``last``. Only days that are over are computed: today would
    show people as absent before their shift begins. Returns the number of holders
    recomputed."""
    last = min(last, today(now) - timedelta(days=1))
    if last < first:
        return 0
    stale = stale_holders(session, holder_scope, first, last)
    for start in range(0, len(stale), CHUNK):
        recompute(session, stale[start : start + CHUNK], first, last, now=now)
    return len(stale)


def stale_holders(
    session: Session, holder_scope: Select[Any], first: date, last: date
) -> list[uuid.UUID]:
    """Holders in ``holder_scope`` with fewer roll-ups than days from ``first`` to
    ``last``, in id order (the order ``recompute`` locks them in)."""
    expected = (last - first).days + 1
    counts = (
        select(AttendanceDay.holder_id, func.count().label("n"))
        .where(AttendanceDay.day.between(first, last), AttendanceDay.holder_id.in_(holder_scope))
        .group_by(AttendanceDay.holder_id)
        .subquery()
    )
    scope = holder_scope.subquery()
    return sorted(
        session.scalars(
            select(scope.c[0])
            .outerjoin(counts, counts.c.holder_id == scope.c[0])
            .where(func.coalesce(counts.c.n, 0) < expected)
        )
    )


def missing_days(
    session: Session, holder_ids: Sequence[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, tuple[date, date]]:
    """The first and last day without a roll-up, from ``first`` to ``last``, of each
    holder missing any."""
    present: dict[uuid.UUID, set[date]] = {holder_id: set() for holder_id in holder_ids}
    for holder_id, day in session.execute(
        select(AttendanceDay.holder_id, AttendanceDay.day).where(
            AttendanceDay.holder_id.in_(list(holder_ids)), AttendanceDay.day.between(first, last)
        )
    ):
        present[holder_id].add(day)
    every_day = days_between(first, last)
    result = {}
    for holder_id, days in present.items():
        missing = [day for day in every_day if day not in days]
        if missing:
            result[holder_id] = (missing[0], missing[-1])
    return result


def recompute(
    session: Session,
    holder_ids: Sequence[uuid.UUID],
    first: date,
    last: date,
    *,
    now: datetime,
    skip_locked: bool = False,
) -> list[uuid.UUID]:
    """Compute and store the roll-ups of ``holder_ids`` from ``first`` to ``last``;
    returns the holders computed.

    The holders' rows are locked first (FOR UPDATE, in id order). An upload's foreign
    key check takes a KEY SHARE lock on the same rows, so a computation and an upload
    of taps for the same person take turns: either the taps are read, or the upload's
    invalidation comes after the rows are written and removes them. Two computations of
    one person take turns too instead of colliding on the primary key. With
    ``skip_locked`` (the background job) holders busy elsewhere are left for later.
    """
    ids = _lock_holders(session, holder_ids, skip_locked=skip_locked)
    if not ids:
        return []
    holders = load_holders(session, ids)
    days = days_between(first, last + timedelta(days=1))  # one more: its window's start
    schedules = unit_schedules(session, holders)
    rostered = shifts(session, ids, first, days[-1])
    overrides = overrides_for(session, holders, first, days[-1])
    leave = leave_days(session, ids, first, last)
    corrections = corrections_in_force(session, ids, first, last)
    margin = CLOCK_TRUST_LIMIT + timedelta(days=1)
    taps = taps_by_holder(
        session, ids, window_start(first, 0) - margin, window_start(days[-1], 0) + margin
    )
    rows: list[dict[str, Any]] = []
    for holder in holders:
        calendar = WorkCalendar(overrides=overrides[holder.unit_path])
        plans = []
        for day in days:
            spec = rostered.get((holder.id, day), schedules[holder.id])
            plan = plan_day(
                day,
                spec,
                calendar,
                leave_type=leave.get((holder.id, day)),
                rostered=(holder.id, day) in rostered,
            )
            plans.append((plan, spec))
        rows.extend(_holder_rows(holder, plans, taps.get(holder.id, []), corrections, now=now))
    session.execute(
        delete(AttendanceDay).where(
            AttendanceDay.holder_id.in_(ids), AttendanceDay.day.between(first, last)
        )
    )
    _store(session, rows)
    return ids


def _lock_holders(
    session: Session, holder_ids: Sequence[uuid.UUID], *, skip_locked: bool
) -> list[uuid.UUID]:
    if not is_postgresql(session):
        return list(holder_ids)  # SQLite: BEGIN IMMEDIATE already serialises writers
    locked = session.scalars(
        select(Holder.id)
        .where(member_of(session, Holder.id, holder_ids))
        .order_by(Holder.id)
        .with_for_update(skip_locked=skip_locked)
    )
    return list(locked)


_DAY_COLUMNS = [column.name for column in AttendanceDay.__table__.columns]


def _store(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write computed days: COPY on PostgreSQL (a month of a big unit is a million rows),
    a Core executemany elsewhere."""
    if not rows:
        return
    if not is_postgresql(session):
        session.execute(insert(AttendanceDay), rows)
        return
    raw = session.connection().connection.driver_connection
    if raw is None:
        raise RuntimeError("no live database connection")
    statement = f"COPY attendance_days ({', '.join(_DAY_COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in _DAY_COLUMNS])


def split_by_day(
    plans: Sequence[tuple[DayPlan, ScheduleSpec]], taps: Sequence[Tap]
) -> list[list[Tap]]:
    """Taps per day of ``plans[:-1]``; the last plan only closes the window before it."""
    starts = [window_start(plan.day, spec.day_boundary_minute) for plan, spec in plans]
    buckets: list[list[Tap]] = [[] for _ in plans[:-1]]
    for tap in taps:
        index = bisect_right(starts, tap.at) - 1
        if 0 <= index < len(buckets):
            buckets[index].append(tap)
    return buckets


def _holder_rows(
    holder: HolderRef,
    plans: Sequence[tuple[DayPlan, ScheduleSpec]],
    taps: Sequence[Tap],
    corrections: dict[tuple[uuid.UUID, date], AttendanceCorrection],
    *,
    now: datetime,
) -> list[dict[str, Any]]:
    rows = []
    for (plan, _), day_taps in zip(plans, split_by_day(plans, taps), strict=False):
        result = compute_day(plan, day_taps)
        correction = corrections.get((holder.id, plan.day))
        row = _row(holder.id, plan, result, now=now)
        if correction is not None:
            corrected = compute_day(plan, _corrected_taps(result, correction))
            row.update(_row(holder.id, plan, corrected, now=now))
            row.update(
                correction_id=correction.id,
                original_status=result.status,
                original_first_in=result.first_in,
                original_last_out=result.last_out,
            )
        rows.append(row)
    return rows


def _corrected_taps(result: DayResult, correction: AttendanceCorrection) -> list[Tap]:
    first_in = correction.first_in or result.first_in
    last_out = correction.last_out or result.last_out
    taps = []
    if first_in is not None:
        taps.append(Tap(first_in, Direction.IN))
    if last_out is not None:
        taps.append(Tap(last_out, Direction.OUT))
    return taps


def _row(
    holder_id: uuid.UUID, plan: DayPlan, result: DayResult, *, now: datetime
) -> dict[str, Any]:
    return {
        "holder_id": holder_id,
        "day": plan.day,
        "kind": plan.kind,
        "status": result.status,
        "leave_type": plan.leave_type,
        "holiday_name": plan.holiday_name,
        "expected_minutes": plan.expected_minutes,
        "first_in": result.first_in,
        "last_out": result.last_out,
        "worked_minutes": result.worked_minutes,
        "late_minutes": result.late_minutes,
        "early_leave_minutes": result.early_leave_minutes,
        "overtime_minutes": result.overtime_minutes,
        "missing_checkout": result.missing_checkout,
        "missing_checkin": result.missing_checkin,
        "tap_count": result.tap_count,
        "correction_id": None,
        "original_status": None,
        "original_first_in": None,
        "original_last_out": None,
        "computed_at": now,
    }
