"""Errors of the events package (whole-batch failures; single events are refused in
the batch's answer instead, see reader_protocol.events)."""

from card_service.errors import CardServiceError


class ReaderNotActiveError(CardServiceError):
    code = "reader_not_active"
    status = 403
    title = "Reader is not active"
