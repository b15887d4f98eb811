"""One person's attendance, day by day, with corrections and what they replaced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.attendance.models import AttendanceCorrection, AttendanceDay
from card_service.attendance.rollup import ensure_computed
from card_service.holders.models import Holder


@dataclass(frozen=True)
class PersonDays:
    holder: Holder
    days: list[AttendanceDay]
    corrections: list[AttendanceCorrection]


def person_days(
    session: Session, holder: Holder, first: date, last: date, *, now: datetime
) -> PersonDays:
    ensure_computed(session, select(Holder.id).where(Holder.id == holder.id), first, last, now=now)
    days = session.scalars(
        select(AttendanceDay)
        .where(AttendanceDay.holder_id == holder.id, AttendanceDay.day.between(first, last))
        .order_by(AttendanceDay.day)
        # Roll-ups are rewritten by bulk statements; never trust a copy in the session.
        .execution_options(populate_existing=True)
    )
    corrections = session.scalars(
        select(AttendanceCorrection)
        .where(
            AttendanceCorrection.holder_id == holder.id,
            AttendanceCorrection.day.between(first, last),
        )
        .order_by(AttendanceCorrection.day, AttendanceCorrection.requested_at)
    )
    return PersonDays(holder=holder, days=list(days), corrections=list(corrections))
