"""The card state machine, as data. Pure: no database, no time.

requested ──start_issuance──▶ personalising ──complete_issuance──▶ active
    ▲                              │                            │    ▲
    └────────cancel_issuance───────┘                   suspend  │    │ resume
                                                                ▼    │
any of requested/personalising/active/suspended ──revoke──▶ revoked (final)
active/suspended ──expire──▶ expired (final)
"""

from __future__ import annotations

import enum

from card_service.cards.errors import IllegalTransitionError
from card_service.cards.models import CardState


class Action(enum.StrEnum):
    START_ISSUANCE = "start_issuance"
    COMPLETE_ISSUANCE = "complete_issuance"
    CANCEL_ISSUANCE = "cancel_issuance"
    SUSPEND = "suspend"
    RESUME = "resume"
    REVOKE = "revoke"
    EXPIRE = "expire"


_S = CardState
TRANSITIONS: dict[tuple[CardState, Action], CardState] = {
    (_S.REQUESTED, Action.START_ISSUANCE): _S.PERSONALISING,
    (_S.PERSONALISING, Action.COMPLETE_ISSUANCE): _S.ACTIVE,
    (_S.PERSONALISING, Action.CANCEL_ISSUANCE): _S.REQUESTED,
    (_S.ACTIVE, Action.SUSPEND): _S.SUSPENDED,
    (_S.SUSPENDED, Action.RESUME): _S.ACTIVE,
    (_S.REQUESTED, Action.REVOKE): _S.REVOKED,
    (_S.PERSONALISING, Action.REVOKE): _S.REVOKED,
    (_S.ACTIVE, Action.REVOKE): _S.REVOKED,
    (_S.SUSPENDED, Action.REVOKE): _S.REVOKED,
    (_S.ACTIVE, Action.EXPIRE): _S.EXPIRED,
    (_S.SUSPENDED, Action.EXPIRE): _S.EXPIRED,
}
FINAL_STATES = frozenset({_S.REVOKED, _S.EXPIRED})


def next_state(current: CardState, action: Action) -> CardState:
    """The state ``action`` leads to from ``current``; IllegalTransitionError otherwise."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise IllegalTransitionError(
            f"a {current.value} card cannot be {_past(action)}",
            state=current.value,
            action=action.value,
        ) from None


def allowed_actions(current: CardState) -> list[Action]:
    return [action for (state, action) in TRANSITIONS if state == current]


def _past(action: Action) -> str:
    return {
        Action.START_ISSUANCE: "put into personalisation",
        Action.COMPLETE_ISSUANCE: "activated",
        Action.CANCEL_ISSUANCE: "taken out of personalisation",
        Action.SUSPEND: "suspended",
        Action.RESUME: "resumed",
        Action.REVOKE: "revoked",
        Action.EXPIRE: "expired",
    }[action]
