"""Online verification: challenge, then the card's answer checked like a reader would,
plus what only the service knows (the card's live state)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from card_service.cards.models import Card, CardState
from card_service.holders.models import Holder
from card_service.verification.models import VerificationChallenge
from card_service.verification.verifier import ServiceVerifier
from crypto import challenge
from crypto.errors import VerificationError
from reader_protocol.verification import (
    Verdict,
    VerificationRequest,
    VerificationResult,
)
from reader_protocol.verification import (
    VerificationChallenge as ChallengeMessage,
)

CHALLENGE_TTL = timedelta(seconds=30)


def new_challenge(session: Session, *, requested_by: str, now: datetime) -> ChallengeMessage:
    row = VerificationChallenge(
        challenge=secrets.token_bytes(challenge.CHALLENGE_BYTES),
        requested_by=requested_by,
        issued_at=now,
        expires_at=now + CHALLENGE_TTL,
    )
    session.add(row)
    session.flush()
    return ChallengeMessage(challenge_id=row.id, challenge=row.challenge, expires_at=row.expires_at)


def _invalid(reason: str, **known: object) -> VerificationResult:
    return VerificationResult(verdict=Verdict.INVALID, reason=reason, **known)


def reason_code(error: VerificationError) -> str:
    """A stable code from the crypto error's class: RevokedError -> "revoked"."""
    name = type(error).__name__.removesuffix("Error")
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def verify(
    session: Session,
    verifier: ServiceVerifier,
    request: VerificationRequest,
    *,
    requested_by: str,
    now: datetime,
) -> VerificationResult:
    """Never raises for a bad card: the verdict says why. Each challenge answers once."""
    row = session.scalar(
        select(VerificationChallenge)
        .where(VerificationChallenge.id == request.challenge_id)
        .with_for_update()
    )
    if row is None or row.used_at is not None or row.requested_by != requested_by:
        return _invalid("challenge_unknown_or_used")
    row.used_at = now
    state = challenge.ChallengeState(row.challenge, row.issued_at, row.expires_at)
    tap_verifier = verifier.current(session, now=now)
    try:
        tap = tap_verifier.verify_tap(request.certificate, state, request.signature, now=now)
    except VerificationError as exc:
        return _invalid(reason_code(exc))
    facts = tap.card
    card = session.get(Card, facts.card_id)
    if card is None or card.certificate_fingerprint != facts.fingerprint:
        return _invalid("card_unknown", card_id=facts.card_id, crl_number=tap.revocation_number)
    holder = session.get(Holder, card.holder_id)
    known = {
        "card_id": card.id,
        "holder_id": card.holder_id,
        "holder_name": holder.full_name if holder else None,
        "card_state": card.state.value,
        "card_serial": card.serial,
        "valid_until": facts.not_after,
        "crl_number": tap.revocation_number,
    }
    if card.state is not CardState.ACTIVE:
        # The list may not carry it yet (or never will: expired); the live state decides.
        return _invalid(f"card_{card.state.value}", **known)
    return VerificationResult(verdict=Verdict.VALID, reason="ok", **known)


def purge_challenges(session: Session, *, now: datetime) -> None:
    session.execute(
        delete(VerificationChallenge).where(
            VerificationChallenge.expires_at < now - timedelta(hours=1)
        )
    )
