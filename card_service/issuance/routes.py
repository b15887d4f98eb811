"""``/api/v1/issuance``: the issuance station's side of personalising a card
(reader_protocol.issuance), plus cancelling by an administrator."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.cards.routes import card_out
from card_service.cards.schemas import CardOut
from card_service.cards.service import MANAGE_ROLES, get_card
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.issuance import service
from card_service.pki.dependencies import Pki
from card_service.problems import Problem
from card_service.readers.dependencies import CurrentReader
from reader_protocol import issuance as wire

router = APIRouter(prefix="/issuance", tags=["issuance"])
Manager = Annotated[Principal, Depends(requires(*MANAGE_ROLES))]
ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem},
    403: {"model": Problem},
    404: {"model": Problem},
    409: {"model": Problem},
    422: {"model": Problem},
}


@router.post("/begin", response_model=wire.IssuanceStarted, responses=ERRORS)
def begin(
    body: wire.IssuanceBegin, station: CurrentReader, session: DbSession, pki: Pki, now: Now
) -> wire.IssuanceStarted:
    return service.begin(session, pki, station, body, now=now)


@router.post("/{session_id}/certificate", response_model=wire.CertificateIssued, responses=ERRORS)
def certificate(
    session_id: uuid.UUID,
    body: wire.CertificateRequest,
    station: CurrentReader,
    session: DbSession,
    pki: Pki,
    now: Now,
) -> wire.CertificateIssued:
    return service.issue_certificate(session, pki, station, session_id, body, now=now)


@router.post(
    "/{session_id}/activation-challenge",
    response_model=wire.ActivationChallenge,
    responses=ERRORS,
)
def activation_challenge(
    session_id: uuid.UUID, station: CurrentReader, session: DbSession, now: Now
) -> wire.ActivationChallenge:
    return service.activation_challenge(session, station, session_id, now=now)


@router.post("/{session_id}/activate", response_model=wire.IssuanceFinished, responses=ERRORS)
def activate(
    session_id: uuid.UUID,
    body: wire.ActivationRequest,
    station: CurrentReader,
    session: DbSession,
    pki: Pki,
    now: Now,
) -> wire.IssuanceFinished:
    return service.activate(session, pki, station, session_id, body, now=now)


@router.post("/cards/{card_id}/cancel", response_model=wire.IssuanceFinished, responses=ERRORS)
def station_cancel(
    card_id: uuid.UUID, station: CurrentReader, session: DbSession, pki: Pki, now: Now
) -> wire.IssuanceFinished:
    return service.cancel_at_station(session, pki, station, card_id, now=now)


@router.post("/admin/cards/{card_id}/cancel", response_model=CardOut, responses=ERRORS)
def admin_cancel(
    card_id: uuid.UUID, principal: Manager, session: DbSession, pki: Pki, now: Now
) -> CardOut:
    """An administrator abandons an interrupted issuance."""
    card = get_card(session, principal, card_id, roles=MANAGE_ROLES, for_update=True)
    return card_out(service.cancel(session, pki, card, actor=principal.actor, now=now))
