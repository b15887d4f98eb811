"""Errors of the issuance protocol."""

from card_service.errors import CardServiceError, ConflictError, InvalidRequestError


class StationRequiredError(CardServiceError):
    code = "issuance_station_required"
    status = 403
    title = "Only an issuance station may do this"


class NonceInvalidError(ConflictError):
    code = "nonce_invalid"
    title = "The nonce is unknown, used or expired"


class PossessionNotProvenError(InvalidRequestError):
    code = "possession_not_proven"
    title = "The card did not prove it holds the key"


class ActivationNotProvenError(InvalidRequestError):
    code = "activation_not_proven"
    title = "The written card did not answer the challenge with its certified key"


class CardNotCertifiedError(ConflictError):
    code = "card_not_certified"
    title = "The card has no certificate yet"
