"""Errors of the access package."""

from card_service.errors import (
    CardServiceError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
)


class AccessObjectNotFoundError(NotFoundError):
    code = "access_object_not_found"
    title = "Access group, door group, schedule or rule not found"


class AccessNameTakenError(ConflictError):
    code = "access_name_taken"
    title = "That name is already used"


class ScheduleInUseError(ConflictError):
    code = "schedule_in_use"
    title = "Rules still use this schedule"


class ScheduleOwnedAboveError(CardServiceError):
    """A schedule shared with the caller's units from a unit above them: they may use
    it in rules, but only its owners may change it."""

    code = "schedule_owned_above"
    status = 403
    title = "This schedule belongs to a unit above yours"


class ScheduleOwnerRequiredError(InvalidRequestError):
    code = "schedule_owner_required"
    title = "Say which unit owns the schedule"


class ScheduleOwnerFixedError(InvalidRequestError):
    code = "schedule_owner_fixed"
    title = "A schedule stays with the unit that owns it"
