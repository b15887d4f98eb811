"""The ETags of what the attendance PUTs replace: a unit's schedule, a holder's roster
day and a calendar day (of one unit, or of the whole province).

These assignments are replaced whole and carry no version column, so their ETag names
what is assigned now (``card_service.etags.etag_for_state``). ``lock=True`` reads it
under a row lock, for checking If-Match right before the write.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from card_service.attendance.models import CalendarOverride, ShiftAssignment, UnitSchedule
from card_service.etags import etag_for_state


def _current(session: Session, query: Select[uuid.UUID], *, lock: bool) -> str | None:
    value = session.scalar(query.with_for_update() if lock else query)
    return None if value is None else str(value)


def unit_schedule_etag(session: Session, unit_id: uuid.UUID, *, lock: bool = False) -> str:
    query = select(UnitSchedule.schedule_id).where(UnitSchedule.unit_id == unit_id)
    return etag_for_state("unit_schedule", str(unit_id), _current(session, query, lock=lock))


def shift_etag(session: Session, holder_id: uuid.UUID, day: date, *, lock: bool = False) -> str:
    query = select(ShiftAssignment.schedule_id).where(
        ShiftAssignment.holder_id == holder_id, ShiftAssignment.day == day
    )
    key = f"{holder_id}:{day.isoformat()}"
    return etag_for_state("shift", key, _current(session, query, lock=lock))


def calendar_day_etag(
    session: Session, day: date, unit_id: uuid.UUID | None, *, lock: bool = False
) -> str:
    """Each setting of a day is a new override row, so its id names the version."""
    query = select(CalendarOverride.id).where(
        CalendarOverride.day == day,
        CalendarOverride.unit_id.is_(None)
        if unit_id is None
        else CalendarOverride.unit_id == unit_id,
    )
    key = f"{day.isoformat()}:{unit_id or 'province'}"
    return etag_for_state("calendar_day", key, _current(session, query, lock=lock))
