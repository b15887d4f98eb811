"""Errors of the orgunits package."""

from card_service.errors import ConflictError, InvalidRequestError, NotFoundError


class UnitNotFoundError(NotFoundError):
    code = "unit_not_found"
    title = "Organisation unit not found"


class UnitCodeTakenError(ConflictError):
    code = "unit_code_taken"
    title = "Unit code already exists"


class UnitPlacementError(InvalidRequestError):
    code = "unit_placement_not_allowed"
    title = "That kind of unit cannot be placed there"


class RootUnitExistsError(ConflictError):
    code = "root_unit_exists"
    title = "A root unit already exists"
