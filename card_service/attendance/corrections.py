"""HR's corrections of a day: with a reason, audited, optionally approved by a second
person. A correction never edits the events or an earlier correction; the day's
roll-up keeps what the events alone gave beside the corrected figures."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.attendance.errors import (
    CorrectionAlreadyDecidedError,
    CorrectionNotFoundError,
    InvalidCorrectionError,
    SelfApprovalError,
)
from card_service.attendance.kinds import CorrectionState
from card_service.attendance.models import AttendanceCorrection, UnitSchedule, WorkSchedule
from card_service.attendance.rollup import invalidate
from card_service.attendance.sources import load_holders
from card_service.audit.service import record
from card_service.holders.models import Holder

OBJECT_TYPE = "attendance_correction"


def needs_approval(session: Session, holder: Holder) -> bool:
    """Whether the holder's unit schedule (nearest up the tree) asks for a second person."""
    refs = load_holders(session, [holder.id])
    chain = refs[0].unit_chain if refs else []
    rows = dict(
        session.execute(
            select(UnitSchedule.unit_id, WorkSchedule.corrections_need_approval)
            .join(WorkSchedule, WorkSchedule.id == UnitSchedule.schedule_id)
            .where(UnitSchedule.unit_id.in_(chain))
        ).all()
    )
    return next((bool(rows[unit]) for unit in chain if unit in rows), False)


def request_correction(
    session: Session,
    *,
    holder: Holder,
    day: date,
    first_in: datetime | None,
    last_out: datetime | None,
    reason: str,
    actor: str,
    now: datetime,
) -> AttendanceCorrection:
    """Record a correction; in force at once unless the unit asks for approval."""
    reason = reason.strip()
    if not reason:
        raise InvalidCorrectionError("a correction needs a reason")
    if first_in is None and last_out is None:
        raise InvalidCorrectionError("a correction sets a check-in, a check-out or both")
    if first_in is not None and last_out is not None and last_out <= first_in:
        raise InvalidCorrectionError("the check-out must come after the check-in")
    pending = needs_approval(session, holder)
    correction = AttendanceCorrection(
        holder_id=holder.id,
        day=day,
        first_in=first_in,
        last_out=last_out,
        reason=reason,
        state=CorrectionState.PENDING if pending else CorrectionState.APPROVED,
        requested_by=actor,
        requested_at=now,
        decided_by=None if pending else actor,
        decided_at=None if pending else now,
    )
    session.add(correction)
    session.flush()
    _audit(session, correction, "attendance.correction.requested", actor=actor, now=now)
    if not pending:
        invalidate(session, [(holder.id, day)])
    return correction


def decide_correction(
    session: Session,
    correction_id: uuid.UUID,
    *,
    approve: bool,
    actor: str,
    now: datetime,
) -> AttendanceCorrection:
    """A second person approves or rejects a pending correction."""
    correction = get_correction(session, correction_id)
    if correction.state is not CorrectionState.PENDING:
        raise CorrectionAlreadyDecidedError(f"correction {correction.id} is {correction.state}")
    if correction.requested_by == actor:
        raise SelfApprovalError("the person who asked for a correction cannot decide it")
    correction.state = CorrectionState.APPROVED if approve else CorrectionState.REJECTED
    correction.decided_by = actor
    correction.decided_at = now
    session.flush()
    action = "attendance.correction.approved" if approve else "attendance.correction.rejected"
    _audit(session, correction, action, actor=actor, now=now)
    if approve:
        invalidate(session, [(correction.holder_id, correction.day)])
    return correction


def get_correction(session: Session, correction_id: uuid.UUID) -> AttendanceCorrection:
    correction = session.get(AttendanceCorrection, correction_id)
    if correction is None:
        raise CorrectionNotFoundError(f"no attendance correction {correction_id}")
    return correction


def pending_corrections(
    session: Session, holder_ids: list[uuid.UUID]
) -> list[AttendanceCorrection]:
    return list(
        session.scalars(
            select(AttendanceCorrection)
            .where(
                AttendanceCorrection.holder_id.in_(holder_ids),
                AttendanceCorrection.state == CorrectionState.PENDING,
            )
            .order_by(AttendanceCorrection.requested_at)
        )
    )


def _audit(
    session: Session, correction: AttendanceCorrection, action: str, *, actor: str, now: datetime
) -> None:
    record(
        session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=correction.id,
        data={
            "holder_id": str(correction.holder_id),
            "day": correction.day.isoformat(),
            "first_in": correction.first_in.isoformat() if correction.first_in else None,
            "last_out": correction.last_out.isoformat() if correction.last_out else None,
            "reason": correction.reason,
            "state": correction.state.value,
        },
        now=now,
    )
