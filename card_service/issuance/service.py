"""The issuance protocol, service side (reader_protocol.issuance describes the steps).

No card becomes active without two proofs from the card itself: a signature over a
fresh nonce with the key it just generated (before the certificate is issued), and a
signature over a second nonce with the certified key once written (before activation).
Each nonce is single use and short-lived.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.cards.errors import CardNotFoundError, IllegalTransitionError
from card_service.cards.lifecycle import Action
from card_service.cards.models import Card, CardState, TransitionReason
from card_service.cards.service import apply_transition
from card_service.holders.models import Holder
from card_service.issuance.errors import (
    ActivationNotProvenError,
    CardNotCertifiedError,
    NonceInvalidError,
    PossessionNotProvenError,
    StationRequiredError,
)
from card_service.issuance.models import IssuanceNonce, NoncePurpose
from card_service.orgunits.models import OrgUnit
from card_service.pki import revocations
from card_service.pki.authorities import authority, current_issuing_ca
from card_service.pki.context import PkiContext
from card_service.pki.revocations import serial_text
from card_service.readers.models import Reader
from crypto import challenge
from crypto.card_certificates import (
    CardCertificateProfile,
    issue_card_certificate,
    parse_card_certificate,
)
from crypto.errors import ChallengeMismatchError, MalformedInputError
from crypto.keys import load_public_key_der
from crypto.revocation import RevocationReason
from reader_protocol import issuance as wire
from reader_protocol.enrolment import ReaderMode

NONCE_TTL = timedelta(minutes=5)
CERTIFICATE_VALIDITY = timedelta(days=1826)  # five years, the profile's maximum


def _actor(station: Reader) -> str:
    return f"reader:{station.id}"


def _require_station(station: Reader) -> None:
    if station.mode is not ReaderMode.ISSUANCE:
        raise StationRequiredError("this reader is not an issuance station")


def _card_for_station(session: Session, station: Reader, card_id: uuid.UUID) -> tuple[Card, Holder]:
    """The row-locked card, if its holder belongs to the station's site (or below)."""
    card = session.scalar(select(Card).where(Card.id == card_id).with_for_update())
    holder = session.get(Holder, card.holder_id) if card is not None else None
    unit = session.get(OrgUnit, holder.unit_id) if holder is not None else None
    site = session.get(OrgUnit, station.site_unit_id)
    if card is None or holder is None or unit is None or site is None:
        raise CardNotFoundError(f"no card {card_id}")
    if not unit.path.startswith(site.path):
        raise CardNotFoundError(f"no card {card_id}")
    return card, holder


def _new_nonce(
    session: Session,
    station: Reader,
    card: Card,
    session_id: uuid.UUID,
    purpose: NoncePurpose,
    *,
    now: datetime,
) -> IssuanceNonce:
    nonce = IssuanceNonce(
        session_id=session_id,
        card_id=card.id,
        reader_id=station.id,
        purpose=purpose,
        nonce=secrets.token_bytes(challenge.CHALLENGE_BYTES),
        issued_at=now,
        expires_at=now + NONCE_TTL,
    )
    session.add(nonce)
    session.flush()
    return nonce


def _take_nonce(
    session: Session,
    station: Reader,
    session_id: uuid.UUID,
    purpose: NoncePurpose,
    *,
    now: datetime,
) -> IssuanceNonce:
    nonce = session.scalar(
        select(IssuanceNonce)
        .where(
            IssuanceNonce.session_id == session_id,
            IssuanceNonce.purpose == purpose,
            IssuanceNonce.reader_id == station.id,
        )
        .order_by(IssuanceNonce.issued_at.desc())
        .limit(1)
        .with_for_update()
    )
    if nonce is None or nonce.used_at is not None or now >= nonce.expires_at:
        raise NonceInvalidError("start again: the nonce is unknown, used or expired")
    return nonce


def begin(
    session: Session,
    pki: PkiContext,
    station: Reader,
    request: wire.IssuanceBegin,
    *,
    now: datetime,
) -> wire.IssuanceStarted:
    """Start (or resume) personalising a requested card."""
    _require_station(station)
    card, holder = _card_for_station(session, station, request.card_id)
    if card.state is CardState.REQUESTED:
        apply_transition(
            session,
            pki,
            card,
            Action.START_ISSUANCE,
            reason=TransitionReason.ISSUANCE_STARTED,
            comment=None,
            actor=_actor(station),
            now=now,
        )
    elif card.state is not CardState.PERSONALISING:
        raise IllegalTransitionError(
            f"a {card.state.value} card cannot be issued",
            state=card.state.value,
            action="start_issuance",
        )
    session_id = uuid.uuid4()
    nonce = _new_nonce(session, station, card, session_id, NoncePurpose.POSSESSION, now=now)
    return wire.IssuanceStarted(
        session_id=session_id,
        card_id=card.id,
        holder_id=holder.id,
        holder_name=holder.full_name,
        card_serial=card.serial,
        nonce=nonce.nonce,
        expires_at=nonce.expires_at,
        certificate=card.certificate_der,
    )


def issue_certificate(
    session: Session,
    pki: PkiContext,
    station: Reader,
    session_id: uuid.UUID,
    request: wire.CertificateRequest,
    *,
    now: datetime,
) -> wire.CertificateIssued:
    """Check the card's proof of possession over the nonce, then certify its key."""
    _require_station(station)
    nonce = _take_nonce(session, station, session_id, NoncePurpose.POSSESSION, now=now)
    card, holder = _card_for_station(session, station, nonce.card_id)
    if card.state is not CardState.PERSONALISING:
        raise IllegalTransitionError(
            f"a {card.state.value} card cannot be certified",
            state=card.state.value,
            action="issue_certificate",
        )
    try:
        card_key = load_public_key_der(request.public_key)
        challenge.complete(
            challenge.ChallengeState(nonce.nonce, nonce.issued_at, nonce.expires_at),
            request.signature,
            card_key,
            now=now,
        )
    except (MalformedInputError, ChallengeMismatchError) as exc:
        raise PossessionNotProvenError(str(exc)) from exc
    nonce.used_at = now
    if card.certificate_der is not None:
        # A resumed issuance with a new key: the first certificate must never be usable.
        _revoke_unfinished(session, pki, card, now=now)
    ca = current_issuing_ca(session, pki)
    der = issue_card_certificate(
        ca,
        card_id=card.id,
        holder_id=holder.id,
        card_public_key=card_key,
        now=now,
        profile=CardCertificateProfile(crl_url=pki.crl_url(ca.key_id)),
        validity=CERTIFICATE_VALIDITY,
    )
    facts = parse_card_certificate(der)
    card.issuer_key_id = facts.issuer_key_id
    card.certificate_serial = serial_text(facts.serial)
    card.certificate_fingerprint = facts.fingerprint
    card.certificate_der = der
    card.valid_from = facts.not_before
    card.valid_until = facts.not_after
    card.updated_at = now
    session.flush()
    record(
        session,
        actor=_actor(station),
        action="card.certificate_issued",
        object_type="card",
        object_id=card.id,
        data={
            "serial": card.certificate_serial,
            "issuer": card.issuer_key_id,
            "valid_until": facts.not_after.isoformat(),
        },
        now=now,
    )
    return wire.CertificateIssued(certificate=der, chuid_guid=card.id)


def activation_challenge(
    session: Session, station: Reader, session_id: uuid.UUID, *, now: datetime
) -> wire.ActivationChallenge:
    _require_station(station)
    possession = session.scalar(
        select(IssuanceNonce)
        .where(IssuanceNonce.session_id == session_id, IssuanceNonce.reader_id == station.id)
        .limit(1)
    )
    if possession is None:
        raise NonceInvalidError("unknown issuance session")
    card, _ = _card_for_station(session, station, possession.card_id)
    if card.certificate_der is None:
        raise CardNotCertifiedError("ask for the certificate first")
    nonce = _new_nonce(session, station, card, session_id, NoncePurpose.ACTIVATION, now=now)
    return wire.ActivationChallenge(nonce=nonce.nonce, expires_at=nonce.expires_at)


def activate(
    session: Session,
    pki: PkiContext,
    station: Reader,
    session_id: uuid.UUID,
    request: wire.ActivationRequest,
    *,
    now: datetime,
) -> wire.IssuanceFinished:
    """Activate the card only if the written card signs the challenge with its certified key."""
    _require_station(station)
    nonce = _take_nonce(session, station, session_id, NoncePurpose.ACTIVATION, now=now)
    card, _ = _card_for_station(session, station, nonce.card_id)
    if card.certificate_der is None:
        raise CardNotCertifiedError("the card has no certificate")
    facts = parse_card_certificate(card.certificate_der)
    try:
        challenge.complete(
            challenge.ChallengeState(nonce.nonce, nonce.issued_at, nonce.expires_at),
            request.signature,
            facts.public_key,
            now=now,
        )
    except (MalformedInputError, ChallengeMismatchError) as exc:
        raise ActivationNotProvenError(str(exc)) from exc
    nonce.used_at = now
    apply_transition(
        session,
        pki,
        card,
        Action.COMPLETE_ISSUANCE,
        reason=TransitionReason.ISSUED,
        comment=None,
        actor=_actor(station),
        now=now,
    )
    return wire.IssuanceFinished(card_id=card.id, state=card.state.value)


def cancel(session: Session, pki: PkiContext, card: Card, *, actor: str, now: datetime) -> Card:
    """Abandon a personalisation: back to requested, or revoked if a certificate exists."""
    if card.state is not CardState.PERSONALISING:
        raise IllegalTransitionError(
            f"a {card.state.value} card is not being issued",
            state=card.state.value,
            action="cancel_issuance",
        )
    if card.certificate_der is not None:
        apply_transition(
            session,
            pki,
            card,
            Action.REVOKE,
            reason=TransitionReason.ISSUANCE_CANCELLED,
            comment="issuance cancelled after a certificate was issued",
            actor=actor,
            now=now,
        )
    else:
        apply_transition(
            session,
            pki,
            card,
            Action.CANCEL_ISSUANCE,
            reason=TransitionReason.ISSUANCE_CANCELLED,
            comment=None,
            actor=actor,
            now=now,
        )
    return card


def cancel_at_station(
    session: Session, pki: PkiContext, station: Reader, card_id: uuid.UUID, *, now: datetime
) -> wire.IssuanceFinished:
    _require_station(station)
    card, _ = _card_for_station(session, station, card_id)
    cancel(session, pki, card, actor=_actor(station), now=now)
    return wire.IssuanceFinished(card_id=card.id, state=card.state.value)


def _revoke_unfinished(session: Session, pki: PkiContext, card: Card, *, now: datetime) -> None:
    if card.issuer_key_id is None or card.certificate_serial is None:
        return
    revocations.record_change(
        session,
        pki,
        authority(session, pki, card.issuer_key_id),
        card_id=card.id,
        serial=int(card.certificate_serial, 16),
        reason=RevocationReason.CESSATION_OF_OPERATION,
        now=now,
    )
    record(
        session,
        actor="system:issuance",
        action="card.certificate_superseded",
        object_type="card",
        object_id=card.id,
        data={"serial": card.certificate_serial},
        now=now,
    )
