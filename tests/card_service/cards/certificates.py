"""Giving a test card a real certificate from the test PKI (what issuance will do)."""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.orm import Session

from card_service.cards.models import Card, CardState
from card_service.pki.authorities import current_issuing_ca
from card_service.pki.context import PkiContext
from card_service.pki.revocations import serial_text
from crypto.card_certificates import (
    CardCertificateProfile,
    issue_card_certificate,
    parse_card_certificate,
)


def certify(
    session: Session, pki: PkiContext, card: Card, *, now: datetime, state: CardState | None = None
) -> bytes:
    """Issue a certificate for a fresh card key and record it on ``card``."""
    ca = current_issuing_ca(session, pki)
    der = issue_card_certificate(
        ca,
        card_id=card.id,
        holder_id=card.holder_id,
        card_public_key=ec.generate_private_key(ec.SECP256R1()).public_key(),
        now=now,
        profile=CardCertificateProfile(crl_url=pki.crl_url(ca.key_id)),
        validity=timedelta(days=365),
    )
    facts = parse_card_certificate(der)
    card.issuer_key_id = facts.issuer_key_id
    card.certificate_serial = serial_text(facts.serial)
    card.certificate_fingerprint = facts.fingerprint
    card.certificate_der = der
    card.valid_from = facts.not_before
    card.valid_until = facts.not_after
    if state is not None:
        card.state = state
    session.flush()
    return der
