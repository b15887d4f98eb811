"""Card use cases: request, suspend, resume, revoke, replace, expire.

Every change goes through ``apply_transition`` on a row-locked card: it checks the
state machine, records who/when/why in card_transitions, keeps the revocation list in
step (in the same transaction) and writes the audit entry.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from card_service.audit.service import record as audit
from card_service.auth.principal import Principal
from card_service.cards import revocation
from card_service.cards.errors import (
    ActiveCardExistsError,
    CardNotFoundError,
    HolderInactiveForCardError,
)
from card_service.cards.lifecycle import Action, next_state
from card_service.cards.models import (
    Card,
    CardState,
    CardTechnology,
    CardTransition,
    TransitionReason,
)
from card_service.holders.models import Holder
from card_service.holders.service import get_holder
from card_service.orgunits.models import OrgUnit
from card_service.pagination import PageParams, paginate
from card_service.pki.context import PkiContext
from card_service.users.models import Role

READ_ROLES = (Role.ADMIN, Role.HR, Role.COUNTER_STAFF, Role.AUDITOR)
MANAGE_ROLES = (Role.ADMIN,)
# Crockford base32 without I, L, O, U: readable on a printed card and over the phone.
_SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_serial() -> str:
    body = "".join(secrets.choice(_SERIAL_ALPHABET) for _ in range(10))
    return f"HUE-{body[:5]}-{body[5:]}"


def _scoped(principal: Principal, roles: tuple[Role, ...]) -> Select[Card]:
    return (
        select(Card)
        .join(Holder, Holder.id == Card.holder_id)
        .join(OrgUnit, OrgUnit.id == Holder.unit_id)
        .where(principal.unit_filter(roles))
    )


def get_card(
    session: Session,
    principal: Principal,
    card_id: uuid.UUID,
    *,
    roles: tuple[Role, ...] = READ_ROLES,
    for_update: bool = False,
) -> Card:
    query = _scoped(principal, roles).where(Card.id == card_id)
    card = session.scalar(query.with_for_update(of=Card) if for_update else query)
    if card is None:
        raise CardNotFoundError(f"no card {card_id}")
    return card


def list_cards(
    session: Session,
    principal: Principal,
    paging: PageParams,
    *,
    holder_id: uuid.UUID | None = None,
    state: CardState | None = None,
    serial: str | None = None,
) -> tuple[list[Card], int]:
    query = _scoped(principal, READ_ROLES)
    if holder_id is not None:
        query = query.where(Card.holder_id == holder_id)
    if state is not None:
        query = query.where(Card.state == state)
    if serial is not None:
        query = query.where(Card.serial == serial.strip().upper())
    return paginate(session, query.order_by(Card.created_at.desc(), Card.id), paging)


def _history_query(card: Card, to_state: CardState | None = None) -> Select[CardTransition]:
    query = select(CardTransition).where(CardTransition.card_id == card.id)
    if to_state is not None:
        query = query.where(CardTransition.to_state == to_state)
    return query.order_by(CardTransition.id)


def history(session: Session, card: Card) -> list[CardTransition]:
    """Every transition of ``card``, oldest first."""
    return list(session.scalars(_history_query(card)))


def history_page(
    session: Session, card: Card, paging: PageParams, *, to_state: CardState | None = None
) -> tuple[list[CardTransition], int]:
    """One page of ``card``'s transitions, oldest first, optionally only those into ``to_state``."""
    return paginate(session, _history_query(card, to_state), paging)


def request_card(
    session: Session,
    principal: Principal,
    holder_id: uuid.UUID,
    *,
    technology: CardTechnology,
    comment: str | None,
    now: datetime,
) -> Card:
    holder = get_holder(session, principal, holder_id, roles=MANAGE_ROLES)
    return _new_card(session, holder, technology, actor=principal.actor, comment=comment, now=now)


def _new_card(
    session: Session,
    holder: Holder,
    technology: CardTechnology,
    *,
    actor: str,
    comment: str | None,
    now: datetime,
) -> Card:
    if not holder.active:
        raise HolderInactiveForCardError(f"holder {holder.id} is deactivated")
    card = Card(
        serial=new_serial(),
        holder_id=holder.id,
        technology=technology,
        state=CardState.REQUESTED,
        created_at=now,
        updated_at=now,
    )
    session.add(card)
    session.flush()
    session.add(
        CardTransition(
            card_id=card.id,
            from_state=None,
            to_state=CardState.REQUESTED,
            reason=TransitionReason.REQUESTED,
            comment=comment,
            actor=actor,
            occurred_at=now,
        )
    )
    audit(
        session,
        actor=actor,
        action="card.requested",
        object_type="card",
        object_id=card.id,
        data={"holder_id": str(holder.id), "technology": technology.value, "serial": card.serial},
        now=now,
    )
    return card


def apply_transition(
    session: Session,
    pki: PkiContext,
    card: Card,
    action: Action,
    *,
    reason: TransitionReason,
    comment: str | None,
    actor: str,
    now: datetime,
) -> Card:
    """Move a row-locked ``card`` by ``action``. Raises IllegalTransitionError (409)."""
    old_state = card.state
    new_state = next_state(old_state, action)
    if new_state is CardState.ACTIVE:
        _ensure_no_other_active(session, card)
    card.state = new_state
    card.updated_at = now
    session.add(
        CardTransition(
            card_id=card.id,
            from_state=old_state,
            to_state=new_state,
            reason=reason,
            comment=comment,
            actor=actor,
            occurred_at=now,
        )
    )
    revocation.on_transition(session, pki, card, old_state, new_state, reason, now=now)
    try:
        session.flush()
    except IntegrityError as exc:  # the unique index is the last line of defence
        raise ActiveCardExistsError("the holder already has an active card") from exc
    audit(
        session,
        actor=actor,
        action=f"card.{action.value}",
        object_type="card",
        object_id=card.id,
        data={
            "from": old_state.value,
            "to": new_state.value,
            "reason": reason.value,
            "comment": comment,
        },
        now=now,
    )
    return card


def _ensure_no_other_active(session: Session, card: Card) -> None:
    other = session.scalar(
        select(Card.id)
        .where(
            Card.holder_id == card.holder_id,
            Card.technology == card.technology,
            Card.state == CardState.ACTIVE,
            Card.id != card.id,
        )
        .with_for_update()
    )
    if other is not None:
        raise ActiveCardExistsError(
            f"holder already has active card {other}; revoke or suspend it first",
            active_card_id=str(other),
        )


def replace_card(
    session: Session,
    pki: PkiContext,
    principal: Principal,
    card: Card,
    *,
    reason: TransitionReason,
    comment: str | None,
    now: datetime,
) -> tuple[Card, Card]:
    """Revoke a lost, stolen or damaged ``card`` (row-locked) and request its successor."""
    apply_transition(
        session,
        pki,
        card,
        Action.REVOKE,
        reason=reason,
        comment=comment,
        actor=principal.actor,
        now=now,
    )
    holder = get_holder(session, principal, card.holder_id, roles=MANAGE_ROLES)
    successor = _new_card(
        session,
        holder,
        card.technology,
        actor=principal.actor,
        comment=f"replaces {card.serial}",
        now=now,
    )
    card.replaced_by_id = successor.id
    session.flush()
    return card, successor


def expire_due_cards(
    session: Session, pki: PkiContext, *, now: datetime, actor: str = "system:expiry"
) -> int:
    """Expire active and suspended cards whose validity has ended. Returns how many."""
    due = session.scalars(
        select(Card)
        .where(
            Card.state.in_((CardState.ACTIVE, CardState.SUSPENDED)),
            Card.valid_until.is_not(None),
            Card.valid_until <= now,
        )
        .with_for_update()
    ).all()
    for card in due:
        apply_transition(
            session,
            pki,
            card,
            Action.EXPIRE,
            reason=TransitionReason.EXPIRED,
            comment=None,
            actor=actor,
            now=now,
        )
    return len(due)
