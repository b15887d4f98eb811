"""Errors of the PKI package."""

from card_service.errors import NotFoundError, ServiceUnavailableError


class PkiNotInitialisedError(ServiceUnavailableError):
    code = "pki_not_initialised"
    title = "The certificate authority has not been set up"


class CrlNotFoundError(NotFoundError):
    code = "crl_not_found"
    title = "No such revocation list"
