"""Errors of the holders package."""

from card_service.errors import ConflictError, InvalidRequestError, NotFoundError


class HolderNotFoundError(NotFoundError):
    code = "holder_not_found"
    title = "Holder not found"


class StaffNumberTakenError(ConflictError):
    code = "staff_number_taken"
    title = "Staff number already used"


class HolderInactiveError(ConflictError):
    code = "holder_inactive"
    title = "Holder is deactivated"


class ImportRejectedError(InvalidRequestError):
    code = "import_rejected"
    title = "Import file has errors; nothing was saved"


class ImportFileUnreadableError(InvalidRequestError):
    code = "import_file_unreadable"
    title = "Import file cannot be read"
