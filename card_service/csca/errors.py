"""Errors of the csca package."""

from card_service.errors import InvalidRequestError


class CscaImportError(InvalidRequestError):
    """The file is not trustworthy CSCA material, or not what the operator said."""

    code = "csca_import_refused"
    title = "CSCA material refused"
