"""Reading what the attendance computation needs from the database."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from card_service.attendance.calendar import CalendarEntry, OverrideRow, resolve_overrides
from card_service.attendance.compute import Rules, Tap, service_time
from card_service.attendance.kinds import CorrectionState, Direction, LeaveType
from card_service.attendance.models import (
    AttendanceCorrection,
    CalendarOverride,
    LeaveRecord,
    ShiftAssignment,
    UnitSchedule,
    WorkSchedule,
)
from card_service.attendance.schedule import OFFICE_HOURS, ScheduleSpec
from card_service.events.models import TapEvent
from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit
from reader_protocol.events import Decision, TapKind

ATTENDANCE_KINDS: dict[TapKind, Direction | None] = {
    TapKind.ATTENDANCE: None,
    TapKind.ATTENDANCE_IN: Direction.IN,
    TapKind.ATTENDANCE_OUT: Direction.OUT,
}


@dataclass(frozen=True)
class HolderRef:
    id: uuid.UUID
    unit_path: str

    @property
    def unit_chain(self) -> list[uuid.UUID]:
        """The holder's unit and its ancestors, deepest first."""
        return [uuid.UUID(part) for part in reversed(self.unit_path.strip("/").split("/"))]


def load_holders(session: Session, holder_ids: Sequence[uuid.UUID]) -> list[HolderRef]:
    rows = session.execute(
        select(Holder.id, OrgUnit.path)
        .join(OrgUnit, OrgUnit.id == Holder.unit_id)
        .where(Holder.id.in_(holder_ids))
    )
    return [HolderRef(id=holder_id, unit_path=path) for holder_id, path in rows]


def spec_of(schedule: WorkSchedule) -> ScheduleSpec:
    periods: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for period in schedule.periods:
        periods[period.weekday].append((period.start_minute, period.end_minute))
    return ScheduleSpec(
        periods={day: tuple(sorted(spans)) for day, spans in periods.items()},
        rules=Rules(
            grace_late=timedelta(minutes=schedule.grace_late_minutes),
            grace_early=timedelta(minutes=schedule.grace_early_minutes),
            debounce=timedelta(seconds=schedule.debounce_seconds),
            overtime_threshold=timedelta(minutes=schedule.overtime_threshold_minutes),
        ),
        day_boundary_minute=schedule.day_boundary_minute,
    )


def unit_schedules(session: Session, holders: Sequence[HolderRef]) -> dict[uuid.UUID, ScheduleSpec]:
    """Each holder's unit schedule: the nearest unit up the tree that has one."""
    unit_ids = {unit for holder in holders for unit in holder.unit_chain}
    rows = session.execute(
        select(UnitSchedule.unit_id, WorkSchedule)
        .join(WorkSchedule, WorkSchedule.id == UnitSchedule.schedule_id)
        .where(UnitSchedule.unit_id.in_(unit_ids))
    )
    by_unit = {unit_id: spec_of(schedule) for unit_id, schedule in rows}
    result = {}
    for holder in holders:
        chain = (by_unit[unit] for unit in holder.unit_chain if unit in by_unit)
        result[holder.id] = next(chain, OFFICE_HOURS)
    return result


def shifts(
    session: Session, holder_ids: Sequence[uuid.UUID], first: date, last: date
) -> dict[tuple[uuid.UUID, date], ScheduleSpec]:
    rows = session.execute(
        select(ShiftAssignment.holder_id, ShiftAssignment.day, WorkSchedule)
        .join(WorkSchedule, WorkSchedule.id == ShiftAssignment.schedule_id)
        .where(
            ShiftAssignment.holder_id.in_(holder_ids),
            ShiftAssignment.day.between(first, last),
        )
    )
    return {(holder_id, day): spec_of(schedule) for holder_id, day, schedule in rows}


def overrides_for(
    session: Session, holders: Sequence[HolderRef], first: date, last: date
) -> dict[str, dict[date, CalendarEntry]]:
    """Resolved calendar overrides per unit path (holders of one unit share them)."""
    rows = session.execute(
        select(CalendarOverride).where(CalendarOverride.day.between(first, last))
    ).scalars()
    stored = list(rows)
    result: dict[str, dict[date, CalendarEntry]] = {}
    for path in {holder.unit_path for holder in holders}:
        chain = [uuid.UUID(part) for part in path.strip("/").split("/")]
        depth = {unit: index for index, unit in enumerate(chain)}
        result[path] = resolve_overrides(
            OverrideRow(
                day=row.day,
                depth=None if row.unit_id is None else depth[row.unit_id],
                entry=CalendarEntry(row.kind, row.name, row.follows_weekday),
            )
            for row in stored
            if row.unit_id is None or row.unit_id in depth
        )
    return result


def leave_days(
    session: Session, holder_ids: Sequence[uuid.UUID], first: date, last: date
) -> dict[tuple[uuid.UUID, date], LeaveType]:
    rows = session.scalars(
        select(LeaveRecord)
        .where(
            LeaveRecord.holder_id.in_(holder_ids),
            LeaveRecord.first_day <= last,
            LeaveRecord.last_day >= first,
        )
        .order_by(LeaveRecord.created_at)
    )
    result: dict[tuple[uuid.UUID, date], LeaveType] = {}
    for record in rows:
        day = max(first, record.first_day)
        while day <= min(last, record.last_day):
            result[(record.holder_id, day)] = record.leave_type  # later records win
            day += timedelta(days=1)
    return result


def corrections_in_force(
    session: Session, holder_ids: Sequence[uuid.UUID], first: date, last: date
) -> dict[tuple[uuid.UUID, date], AttendanceCorrection]:
    """The latest approved correction of each corrected day."""
    rows = session.scalars(
        select(AttendanceCorrection)
        .where(
            AttendanceCorrection.holder_id.in_(holder_ids),
            AttendanceCorrection.day.between(first, last),
            AttendanceCorrection.state == CorrectionState.APPROVED,
        )
        .order_by(AttendanceCorrection.decided_at, AttendanceCorrection.requested_at)
    )
    return {(row.holder_id, row.day): row for row in rows}


def taps_by_holder(
    session: Session, holder_ids: Sequence[uuid.UUID], start: datetime, end: datetime
) -> dict[uuid.UUID, list[Tap]]:
    """Granted attendance taps whose claimed time is in [start, end), on service time."""
    rows = session.execute(
        select(
            TapEvent.holder_id, TapEvent.occurred_at, TapEvent.clock_offset_ms, TapEvent.kind
        ).where(
            and_(
                TapEvent.holder_id.in_(holder_ids),
                TapEvent.occurred_at >= start,
                TapEvent.occurred_at < end,
                TapEvent.decision == Decision.GRANTED,
                TapEvent.kind.in_(list(ATTENDANCE_KINDS)),
            )
        )
    )
    result: dict[uuid.UUID, list[Tap]] = defaultdict(list)
    for holder_id, occurred_at, offset, kind in rows:
        if holder_id is not None:
            result[holder_id].append(Tap(service_time(occurred_at, offset), ATTENDANCE_KINDS[kind]))
    return result
