"""Errors of the events package (whole-batch failures; single events are refused in
the batch's answer instead, see reader_protocol.events)."""

from card_service.errors import CardServiceError, InvalidRequestError


class ReaderNotActiveError(CardServiceError):
    code = "reader_not_active"
    status = 403
    title = "Reader is not active"


class InvalidPeriodError(InvalidRequestError):
    """A read of events over a period or page the service will not serve."""

    code = "invalid_event_period"
    title = "Invalid period or page of events"
