"""Corrections keep the original visible, are audited, and may need a second person."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from card_service.attendance.corrections import decide_correction, request_correction
from card_service.attendance.errors import (
    CorrectionAlreadyDecidedError,
    InvalidCorrectionError,
    SelfApprovalError,
)
from card_service.attendance.kinds import CorrectionState, DayStatus
from card_service.attendance.schedules import ScheduleRules, assign_unit_schedule, create_schedule
from card_service.audit.models import AuditEntry
from tests.card_service.attendance.conftest import OFFICE, hhmm, table, vn

DAY = date(2026, 3, 2)
NOW = vn(2026, 3, 4, 9)


def _forgot_to_check_out(office) -> None:
    office.tap(vn(2026, 3, 2, 7, 28))
    assert office.days(DAY, DAY, now=NOW)[0].status is DayStatus.INCOMPLETE


def test_a_correction_applies_at_once_and_keeps_the_original(office, session) -> None:
    _forgot_to_check_out(office)
    correction = request_correction(
        session,
        holder=office.staff[0],
        day=DAY,
        first_in=None,
        last_out=vn(2026, 3, 2, 17, 0),
        reason="Quên chấm ra; xác nhận của trưởng phòng",
        actor="user:hr",
        now=NOW,
    )
    assert correction.state is CorrectionState.APPROVED
    (row,) = office.days(DAY, DAY, now=NOW)
    assert table([row]) == [
        ("2026-03-02", "workday", "present", "02 07:28", "02 17:00", 450, 0, 0, 0, "X"),
    ]
    assert row.correction_id == correction.id
    assert row.original_status is DayStatus.INCOMPLETE
    assert (hhmm(row.original_first_in), hhmm(row.original_last_out)) == ("02 07:28", "")
    entries = session.scalars(select(AuditEntry).where(AuditEntry.object_id == correction.id))
    assert [(e.action, e.actor, e.data["reason"]) for e in entries] == [
        ("attendance.correction.requested", "user:hr", "Quên chấm ra; xác nhận của trưởng phòng")
    ]


def test_a_late_event_after_a_correction_keeps_the_correction(office, session) -> None:
    _forgot_to_check_out(office)
    request_correction(
        session,
        holder=office.staff[0],
        day=DAY,
        first_in=None,
        last_out=vn(2026, 3, 2, 17, 0),
        reason="Quên chấm ra",
        actor="user:hr",
        now=NOW,
    )
    office.tap(vn(2026, 3, 2, 12, 0), uploaded_at=NOW)  # an offline reader catches up
    (row,) = office.days(DAY, DAY, now=NOW)
    assert (hhmm(row.first_in), hhmm(row.last_out)) == ("02 07:28", "02 17:00")
    assert (hhmm(row.original_first_in), hhmm(row.original_last_out)) == ("02 07:28", "02 12:00")


def test_with_approval_a_second_person_decides(office, session) -> None:
    strict = create_schedule(
        session,
        code="strict",
        name="Giờ hành chính (duyệt)",
        periods=OFFICE,
        rules=ScheduleRules(corrections_need_approval=True),
        actor="user:admin",
        now=vn(2020, 1, 1),
    )
    assign_unit_schedule(session, office.unit, strict, actor="user:admin", now=vn(2026, 1, 1))
    _forgot_to_check_out(office)
    correction = request_correction(
        session,
        holder=office.staff[0],
        day=DAY,
        first_in=None,
        last_out=vn(2026, 3, 2, 17, 0),
        reason="Quên chấm ra",
        actor="user:hr",
        now=NOW,
    )
    assert correction.state is CorrectionState.PENDING
    assert office.days(DAY, DAY, now=NOW)[0].status is DayStatus.INCOMPLETE
    with pytest.raises(SelfApprovalError):
        decide_correction(session, correction.id, approve=True, actor="user:hr", now=NOW)

    decide_correction(session, correction.id, approve=True, actor="user:hr_lead", now=NOW)

    assert office.days(DAY, DAY, now=NOW)[0].status is DayStatus.PRESENT
    with pytest.raises(CorrectionAlreadyDecidedError):
        decide_correction(session, correction.id, approve=False, actor="user:other", now=NOW)
    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_id == correction.id)
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == ["attendance.correction.requested", "attendance.correction.approved"]


def test_a_rejected_correction_changes_nothing(office, session) -> None:
    strict = create_schedule(
        session,
        code="strict2",
        name="x",
        periods=OFFICE,
        rules=ScheduleRules(corrections_need_approval=True),
        actor="user:admin",
        now=vn(2020, 1, 1),
    )
    assign_unit_schedule(session, office.unit, strict, actor="user:admin", now=vn(2026, 1, 1))
    _forgot_to_check_out(office)
    correction = request_correction(
        session,
        holder=office.staff[0],
        day=DAY,
        first_in=vn(2026, 3, 2, 7, 0),
        last_out=vn(2026, 3, 2, 17, 0),
        reason="x",
        actor="user:hr",
        now=NOW,
    )
    decide_correction(session, correction.id, approve=False, actor="user:hr_lead", now=NOW)
    (row,) = office.days(DAY, DAY, now=NOW)
    assert row.status is DayStatus.INCOMPLETE
    assert row.correction_id is None


@pytest.mark.parametrize(
    ("first_in", "last_out", "reason"),
    [
        (None, None, "no times"),
        (vn(2026, 3, 2, 17), vn(2026, 3, 2, 8), "backwards"),
        (vn(2026, 3, 2, 8), None, "   "),
    ],
)
def test_invalid_corrections_are_refused(office, session, first_in, last_out, reason) -> None:
    with pytest.raises(InvalidCorrectionError):
        request_correction(
            session,
            holder=office.staff[0],
            day=DAY,
            first_in=first_in,
            last_out=last_out,
            reason=reason,
            actor="user:hr",
            now=NOW,
        )
