"""Tables of attendance: schedules, calendar overrides, leave, roll-ups and corrections."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from card_service.attendance.kinds import (
    CorrectionState,
    DayKind,
    DayStatus,
    LeaveType,
    OverrideKind,
)
from card_service.db.base import UUID, Base, UTCDateTime, new_uuid, str_enum, utcnow


class WorkSchedule(Base):
    """Working hours (office hours or a shift) and the rules applied to them."""

    __tablename__ = "work_schedules"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    grace_late_minutes: Mapped[int] = mapped_column(Integer, default=5)
    grace_early_minutes: Mapped[int] = mapped_column(Integer, default=5)
    debounce_seconds: Mapped[int] = mapped_column(Integer, default=300)
    overtime_threshold_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # Where one attendance day ends and the next begins, in minutes after local midnight:
    # 0 for office hours, e.g. 720 (noon) for a 22:00-06:00 night shift.
    day_boundary_minute: Mapped[int] = mapped_column(Integer, default=0)
    corrections_need_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    periods: Mapped[list[WorkPeriod]] = relationship(
        back_populates="schedule",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(WorkPeriod.weekday, WorkPeriod.start_minute)",
    )


class WorkPeriod(Base):
    """One stretch of work on a weekday (0 = Monday). ``end_minute`` may pass 1440 for a
    period that ends the next morning (overnight shift)."""

    __tablename__ = "work_periods"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute BETWEEN 0 AND 1439", name="start_range"),
        CheckConstraint(
            "end_minute > start_minute AND end_minute <= start_minute + 1440", name="end_range"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("work_schedules.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)

    schedule: Mapped[WorkSchedule] = relationship(back_populates="periods")


class UnitSchedule(Base):
    """The schedule of a unit and, unless they have their own, of the units below it."""

    __tablename__ = "unit_schedules"

    unit_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True
    )
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("work_schedules.id", ondelete="RESTRICT"), index=True
    )


class ShiftAssignment(Base):
    """A holder works this schedule on this day instead of the unit's (shift rosters)."""

    __tablename__ = "shift_assignments"

    holder_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("holders.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("work_schedules.id", ondelete="RESTRICT"), index=True
    )


class CalendarOverride(Base):
    """A local entry on top of the national holidays: an extra day off, a compensatory
    working day, or a holiday cancelled. ``unit_id`` None means province-wide."""

    __tablename__ = "calendar_overrides"
    __table_args__ = (Index("ix_calendar_overrides_day", "day"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    day: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID, ForeignKey("org_units.id", ondelete="CASCADE")
    )
    kind: Mapped[OverrideKind] = mapped_column(str_enum(OverrideKind, name="override_kind"))
    name: Mapped[str] = mapped_column(String(255))
    # A working rest day follows the hours of this weekday (default: Monday's).
    follows_weekday: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeaveRecord(Base):
    __tablename__ = "leave_records"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="day_order"),
        Index("ix_leave_records_holder_days", "holder_id", "first_day"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    holder_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("holders.id", ondelete="CASCADE"))
    leave_type: Mapped[LeaveType] = mapped_column(str_enum(LeaveType, name="leave_type"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceCorrection(Base):
    """HR's correction of one day. Never edited once decided; a later one supersedes it."""

    __tablename__ = "attendance_corrections"
    __table_args__ = (Index("ix_attendance_corrections_holder_day", "holder_id", "day"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    holder_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("holders.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    first_in: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_out: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[CorrectionState] = mapped_column(
        str_enum(CorrectionState, name="correction_state")
    )
    requested_by: Mapped[str] = mapped_column(String(255))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AttendanceDay(Base):
    """The roll-up: one holder's attendance on one day, derived from events, calendar,
    leave and corrections. A missing row means "not computed yet" (or invalidated by a
    late event or an edit); readers compute missing rows before they report."""

    __tablename__ = "attendance_days"

    holder_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("holders.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[DayKind] = mapped_column(str_enum(DayKind, name="day_kind"))
    status: Mapped[DayStatus] = mapped_column(str_enum(DayStatus, name="day_status"))
    leave_type: Mapped[LeaveType | None] = mapped_column(str_enum(LeaveType, name="leave_type"))
    holiday_name: Mapped[str | None] = mapped_column(String(255))
    expected_minutes: Mapped[int] = mapped_column(Integer)
    first_in: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_out: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worked_minutes: Mapped[int] = mapped_column(Integer)
    late_minutes: Mapped[int] = mapped_column(Integer)
    early_leave_minutes: Mapped[int] = mapped_column(Integer)
    overtime_minutes: Mapped[int] = mapped_column(Integer)
    missing_checkout: Mapped[bool] = mapped_column(Boolean)
    missing_checkin: Mapped[bool] = mapped_column(Boolean)
    tap_count: Mapped[int] = mapped_column(Integer)
    # When a correction is in force, what the events alone gave stays visible here.
    correction_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID, ForeignKey("attendance_corrections.id", ondelete="SET NULL")
    )
    original_status: Mapped[DayStatus | None] = mapped_column(
        str_enum(DayStatus, name="original_day_status")
    )
    original_first_in: Mapped[datetime | None] = mapped_column(UTCDateTime)
    original_last_out: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
