"""Errors of the service_usage package."""

from card_service.errors import (
    CardServiceError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
)


class ServiceNotFoundError(NotFoundError):
    code = "service_not_found"
    title = "Service not in the catalogue"


class ServiceCodeTakenError(ConflictError):
    code = "service_code_taken"
    title = "Service code already exists"


class NotACounterError(InvalidRequestError):
    code = "not_a_counter"
    title = "Unit is not a counter of a service centre"


class NotSignedInError(ConflictError):
    code = "counter_not_signed_in"
    title = "Nobody is signed in at this counter"


class CounterBusyError(ConflictError):
    code = "counter_busy"
    title = "The counter is still serving someone"


class SessionNotFoundError(NotFoundError):
    code = "counter_session_not_found"
    title = "Counter session not found"


class SessionAlreadyEndedError(ConflictError):
    code = "counter_session_ended"
    title = "Counter session already ended"


class InvalidCitizenRefError(InvalidRequestError):
    code = "invalid_citizen_ref"
    title = "Citizen reference must be a keyed hash, never a document number"


class InvalidRangeError(InvalidRequestError):
    code = "invalid_range"
    title = "Invalid date range"


class InvalidEvidenceError(InvalidRequestError):
    code = "invalid_session_evidence"
    title = "The legal basis or the verification evidence is inconsistent"


class CounterReaderRequiredError(CardServiceError):
    code = "counter_reader_required"
    status = 403
    title = "Only a counter reader at a service centre's counter may do this"
