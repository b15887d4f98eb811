"""Errors of the orgunits package."""

from card_service.errors import ConflictError, NotFoundError


class UnitNotFoundError(NotFoundError):
    code = "unit_not_found"
    title = "Organisation unit not found"


class UnitCodeTakenError(ConflictError):
    code = "unit_code_taken"
    title = "Unit code already exists"
