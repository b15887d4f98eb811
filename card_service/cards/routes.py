"""``/api/v1/cards``: request, read and move cards through their lifecycle."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.cards import service
from card_service.cards.lifecycle import Action, allowed_actions
from card_service.cards.models import Card, CardState, TransitionReason
from card_service.cards.schemas import (
    CardOut,
    CardRequest,
    ReasonedChange,
    ReplacementOut,
    ReplaceRequest,
    RevokeRequest,
    TransitionOut,
)
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.etags import check_if_match, etag_for
from card_service.pagination import Page, Paging
from card_service.pki.dependencies import Pki
from card_service.problems import Problem

router = APIRouter(prefix="/cards", tags=["cards"])
Reader = Annotated[Principal, Depends(requires(*service.READ_ROLES))]
Manager = Annotated[Principal, Depends(requires(*service.MANAGE_ROLES))]
IfMatch = Annotated[
    str | None, Header(description="Optional: refuse the change if the card changed since")
]
CHANGE_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"model": Problem},
    409: {"model": Problem},
    412: {"model": Problem},
}


def card_out(card: Card, response: Response | None = None) -> CardOut:
    if response is not None:
        response.headers["ETag"] = etag_for("card", card.id, card.version)
    out = CardOut.model_validate(card)
    out.allowed_actions = allowed_actions(card.state)
    return out


@router.get("", response_model=Page[CardOut])
def list_cards(
    principal: Reader,
    session: DbSession,
    paging: Paging,
    holder_id: uuid.UUID | None = None,
    state: CardState | None = None,
    serial: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[CardOut]:
    items, total = service.list_cards(
        session, principal, paging, holder_id=holder_id, state=state, serial=serial
    )
    return Page[CardOut](
        items=[card_out(c) for c in items], total=total, limit=paging.limit, offset=paging.offset
    )


@router.post("", response_model=CardOut, status_code=201, responses=CHANGE_RESPONSES)
def request_card(
    body: CardRequest, principal: Manager, session: DbSession, now: Now, response: Response
) -> CardOut:
    card = service.request_card(
        session,
        principal,
        body.holder_id,
        technology=body.technology,
        comment=body.comment,
        now=now,
    )
    response.headers["Location"] = f"/api/v1/cards/{card.id}"
    return card_out(card, response)


@router.get("/{card_id}", response_model=CardOut, responses={404: {"model": Problem}})
def get_card(
    card_id: uuid.UUID, principal: Reader, session: DbSession, response: Response
) -> CardOut:
    return card_out(service.get_card(session, principal, card_id), response)


@router.get(
    "/{card_id}/history", response_model=Page[TransitionOut], responses={404: {"model": Problem}}
)
def card_history(
    card_id: uuid.UUID,
    principal: Reader,
    session: DbSession,
    paging: Paging,
    to_state: CardState | None = None,
) -> Page[TransitionOut]:
    card = service.get_card(session, principal, card_id)
    items, total = service.history_page(session, card, paging, to_state=to_state)
    return Page[TransitionOut](
        items=[TransitionOut.model_validate(t) for t in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


def _locked(
    session: DbSession, principal: Principal, card_id: uuid.UUID, if_match: str | None
) -> Card:
    card = service.get_card(
        session, principal, card_id, roles=service.MANAGE_ROLES, for_update=True
    )
    if if_match is not None:
        check_if_match(if_match, etag_for("card", card.id, card.version))
    return card


@router.post("/{card_id}/suspend", response_model=CardOut, responses=CHANGE_RESPONSES)
def suspend_card(
    card_id: uuid.UUID,
    body: ReasonedChange,
    principal: Manager,
    session: DbSession,
    pki: Pki,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> CardOut:
    card = _locked(session, principal, card_id, if_match)
    service.apply_transition(
        session,
        pki,
        card,
        Action.SUSPEND,
        reason=TransitionReason.SUSPENDED,
        comment=body.comment,
        actor=principal.actor,
        now=now,
    )
    return card_out(card, response)


@router.post("/{card_id}/resume", response_model=CardOut, responses=CHANGE_RESPONSES)
def resume_card(
    card_id: uuid.UUID,
    body: ReasonedChange,
    principal: Manager,
    session: DbSession,
    pki: Pki,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> CardOut:
    card = _locked(session, principal, card_id, if_match)
    service.apply_transition(
        session,
        pki,
        card,
        Action.RESUME,
        reason=TransitionReason.RESUMED,
        comment=body.comment,
        actor=principal.actor,
        now=now,
    )
    return card_out(card, response)


@router.post("/{card_id}/revoke", response_model=CardOut, responses=CHANGE_RESPONSES)
def revoke_card(
    card_id: uuid.UUID,
    body: RevokeRequest,
    principal: Manager,
    session: DbSession,
    pki: Pki,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> CardOut:
    card = _locked(session, principal, card_id, if_match)
    service.apply_transition(
        session,
        pki,
        card,
        Action.REVOKE,
        reason=TransitionReason(body.reason.value),
        comment=body.comment,
        actor=principal.actor,
        now=now,
    )
    return card_out(card, response)


@router.post("/{card_id}/replace", response_model=ReplacementOut, responses=CHANGE_RESPONSES)
def replace_card(
    card_id: uuid.UUID,
    body: ReplaceRequest,
    principal: Manager,
    session: DbSession,
    pki: Pki,
    now: Now,
    if_match: IfMatch = None,
) -> ReplacementOut:
    card = _locked(session, principal, card_id, if_match)
    old, new = service.replace_card(
        session,
        pki,
        principal,
        card,
        reason=TransitionReason(body.reason.value),
        comment=body.comment,
        now=now,
    )
    return ReplacementOut(revoked=card_out(old), replacement=card_out(new))
