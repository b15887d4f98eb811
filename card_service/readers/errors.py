"""Errors of the readers package."""

from card_service.errors import CardServiceError, NotFoundError


class ReaderNotFoundError(NotFoundError):
    code = "reader_not_found"
    title = "Reader not found"


class EnrolmentRefusedError(CardServiceError):
    """A token that is unknown, used, expired, or bound to another site or mode."""

    code = "enrolment_refused"
    status = 403
    title = "Enrolment refused"


class ReaderNotAuthenticatedError(CardServiceError):
    code = "reader_not_authenticated"
    status = 401
    title = "Reader authentication failed"


class ReaderNotEnrollableError(CardServiceError):
    code = "reader_not_enrollable"
    status = 409
    title = "Reader cannot take a new enrolment token"
