"""Errors of the cards package."""

from card_service.errors import ConflictError, NotFoundError


class CardNotFoundError(NotFoundError):
    code = "card_not_found"
    title = "Card not found"


class IllegalTransitionError(ConflictError):
    code = "illegal_card_transition"
    title = "This change of card state is not allowed"


class ActiveCardExistsError(ConflictError):
    code = "active_card_exists"
    title = "The holder already has an active card of this technology"


class HolderInactiveForCardError(ConflictError):
    code = "holder_inactive"
    title = "Cards cannot be issued to a deactivated holder"
