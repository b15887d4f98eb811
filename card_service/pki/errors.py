"""Errors of the PKI package."""

from card_service.errors import ServiceUnavailableError


class PkiNotInitialisedError(ServiceUnavailableError):
    code = "pki_not_initialised"
    title = "The certificate authority has not been set up"
