"""Errors of the attendance package."""

from card_service.errors import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
)


class ScheduleNotFoundError(NotFoundError):
    code = "schedule_not_found"
    title = "Work schedule not found"


class ScheduleCodeTakenError(ConflictError):
    code = "schedule_code_taken"
    title = "Work schedule code already exists"


class InvalidScheduleError(InvalidRequestError):
    code = "invalid_schedule"
    title = "Invalid work schedule"


class CorrectionNotFoundError(NotFoundError):
    code = "correction_not_found"
    title = "Attendance correction not found"


class InvalidCorrectionError(InvalidRequestError):
    code = "invalid_correction"
    title = "Invalid attendance correction"


class CorrectionAlreadyDecidedError(ConflictError):
    code = "correction_already_decided"
    title = "Correction already decided"


class SelfApprovalError(ConflictError):
    code = "correction_self_approval"
    title = "A correction needs a second person's approval"


class InvalidLeaveError(InvalidRequestError):
    code = "invalid_leave"
    title = "Invalid leave record"


class LeaveNotFoundError(NotFoundError):
    code = "leave_not_found"
    title = "Leave record not found"


class OverrideNotFoundError(NotFoundError):
    code = "calendar_override_not_found"
    title = "Calendar override not found"


class InvalidPeriodError(InvalidRequestError):
    code = "invalid_period"
    title = "Invalid reporting period"
