"""Leave records (nghỉ phép, ốm, công tác, ...): audited, and the days they cover recomputed."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.attendance.errors import InvalidLeaveError, LeaveNotFoundError
from card_service.attendance.kinds import LeaveType
from card_service.attendance.models import LeaveRecord
from card_service.attendance.rollup import days_between, invalidate
from card_service.audit.service import record
from card_service.holders.models import Holder
from card_service.pagination import PageParams, paginate

MAX_LEAVE = timedelta(days=366)


def add_leave(
    session: Session,
    *,
    holder: Holder,
    leave_type: LeaveType,
    first_day: date,
    last_day: date,
    note: str | None,
    actor: str,
    now: datetime,
) -> LeaveRecord:
    if last_day < first_day:
        raise InvalidLeaveError("leave ends before it starts")
    if last_day - first_day > MAX_LEAVE:
        raise InvalidLeaveError("one leave record covers at most a year")
    leave = LeaveRecord(
        holder_id=holder.id,
        leave_type=leave_type,
        first_day=first_day,
        last_day=last_day,
        note=note,
        created_by=actor,
        created_at=now,
    )
    session.add(leave)
    session.flush()
    _audit(session, leave, "attendance.leave.added", actor=actor, now=now)
    invalidate(session, [(holder.id, day) for day in days_between(first_day, last_day)])
    return leave


def get_leave(session: Session, leave_id: uuid.UUID) -> LeaveRecord:
    leave = session.get(LeaveRecord, leave_id)
    if leave is None:
        raise LeaveNotFoundError(f"no leave record {leave_id}")
    return leave


def remove_leave(session: Session, leave_id: uuid.UUID, *, actor: str, now: datetime) -> None:
    leave = get_leave(session, leave_id)
    _audit(session, leave, "attendance.leave.removed", actor=actor, now=now)
    keys = [(leave.holder_id, day) for day in days_between(leave.first_day, leave.last_day)]
    session.delete(leave)
    session.flush()
    invalidate(session, keys)


def leave_of(
    session: Session,
    holder_id: uuid.UUID,
    first: date,
    last: date,
    paging: PageParams,
    *,
    leave_type: LeaveType | None = None,
) -> tuple[list[LeaveRecord], int]:
    """One page of ``holder_id``'s leave that touches ``first``..``last``, earliest first."""
    query = select(LeaveRecord).where(
        LeaveRecord.holder_id == holder_id,
        LeaveRecord.first_day <= last,
        LeaveRecord.last_day >= first,
    )
    if leave_type is not None:
        query = query.where(LeaveRecord.leave_type == leave_type)
    return paginate(session, query.order_by(LeaveRecord.first_day, LeaveRecord.id), paging)


def _audit(session: Session, leave: LeaveRecord, action: str, *, actor: str, now: datetime) -> None:
    record(
        session,
        actor=actor,
        action=action,
        object_type="leave_record",
        object_id=leave.id,
        data={
            "holder_id": str(leave.holder_id),
            "leave_type": leave.leave_type.value,
            "first_day": leave.first_day.isoformat(),
            "last_day": leave.last_day.isoformat(),
        },
        now=now,
    )
