"""Errors of the access package."""

from card_service.errors import ConflictError, NotFoundError


class AccessObjectNotFoundError(NotFoundError):
    code = "access_object_not_found"
    title = "Access group, door group, schedule or rule not found"


class AccessNameTakenError(ConflictError):
    code = "access_name_taken"
    title = "That name is already used"


class ScheduleInUseError(ConflictError):
    code = "schedule_in_use"
    title = "Rules still use this schedule"
