"""API shapes of attendance (separate from the tables)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from card_service.attendance.kinds import (
    CorrectionState,
    DayKind,
    DayStatus,
    LeaveType,
    OverrideKind,
)

# Free text without control characters (PostgreSQL refuses NUL; the rest is never meant).
NO_CONTROLS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000, pattern=NO_CONTROLS),
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=1000, pattern=NO_CONTROLS)
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255, pattern=NO_CONTROLS)
]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]


class TimesheetRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    holder_id: uuid.UUID
    staff_number: str
    full_name: str
    unit_name: str
    codes: list[str] = Field(description="One timesheet symbol per day of the month")
    days_present: int
    late_count: int
    late_minutes: int
    early_count: int
    early_minutes: int
    missing_checkouts: int
    absent_days: int
    leave_days: int
    holidays: int
    worked_minutes: int
    overtime_minutes: int


class TimesheetOut(BaseModel):
    unit_id: uuid.UUID
    unit_name: str
    year: int
    month: int
    days: list[date]
    legend: dict[str, str]
    rows: list[TimesheetRowOut]


class DayOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: date
    kind: DayKind
    status: DayStatus
    leave_type: LeaveType | None
    holiday_name: str | None
    expected_minutes: int
    first_in: datetime | None
    last_out: datetime | None
    worked_minutes: int
    late_minutes: int
    early_leave_minutes: int
    overtime_minutes: int
    missing_checkout: bool
    missing_checkin: bool
    tap_count: int
    correction_id: uuid.UUID | None
    original_status: DayStatus | None = Field(description="Before the correction in force")
    original_first_in: datetime | None
    original_last_out: datetime | None


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holder_id: uuid.UUID
    day: date
    first_in: AwareDatetime | None = None
    last_out: AwareDatetime | None = None
    reason: Reason


class CorrectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    holder_id: uuid.UUID
    day: date
    first_in: datetime | None
    last_out: datetime | None
    reason: str
    state: CorrectionState
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class PersonMonthOut(BaseModel):
    holder_id: uuid.UUID
    full_name: str
    year: int
    month: int
    days: list[DayOut]
    corrections: list[CorrectionOut]


class LeaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holder_id: uuid.UUID
    leave_type: LeaveType
    first_day: date
    last_day: date
    note: Note | None = None


class LeaveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    holder_id: uuid.UUID
    leave_type: LeaveType
    first_day: date
    last_day: date
    note: str | None
    created_by: str
    created_at: datetime


class CalendarDayOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: date
    kind: OverrideKind
    name: str
    source: str
    override_id: uuid.UUID | None
    unit_id: uuid.UUID | None


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: OverrideKind
    name: Name
    unit_id: uuid.UUID | None = Field(default=None, description="None: the whole province")
    follows_weekday: int | None = Field(default=None, ge=0, le=6)


class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start_minute: int = Field(ge=0, le=1439, description="Minutes after local midnight")
    end_minute: int = Field(gt=0, le=2879, description="May pass 1440 for overnight shifts")


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name: Name
    periods: list[PeriodIn] = Field(max_length=50)
    grace_late_minutes: int = Field(default=5, ge=0, le=240)
    grace_early_minutes: int = Field(default=5, ge=0, le=240)
    debounce_seconds: int = Field(default=300, ge=0, le=3600)
    overtime_threshold_minutes: int = Field(default=30, ge=0, le=1440)
    day_boundary_minute: int = Field(default=0, ge=0, le=1439)
    corrections_need_approval: bool = False


class ScheduleOut(ScheduleIn):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID


class UnitScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule_id: uuid.UUID


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule_id: uuid.UUID | None = Field(description="None removes the roster entry")
