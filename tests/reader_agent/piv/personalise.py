"""Personalise a virtual PIV card the way issuance will: management-key
authentication, a P-256 key generated in 9E, its card-authentication certificate
and a CHUID naming the card. Shared by unit, integration and OpenSC tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from reader_agent.connection import Connection
from reader_agent.piv import DEFAULT_MANAGEMENT_KEY, Chuid, PivClient, Slot
from reader_agent.virtual.piv_card import PivCard
from reader_agent.virtual.piv_direct import DirectConnection
from tests.reader_agent.piv.certificates import Issuer, der

CHUID_EXPIRATION = date(2031, 12, 31)


@dataclass(frozen=True)
class IssuedCard:
    card_id: uuid.UUID
    public_key: ec.EllipticCurvePublicKey
    certificate: x509.Certificate
    issuer: Issuer


def personalise(connection: Connection, *, issuer: Issuer | None = None) -> IssuedCard:
    issuer = issuer or Issuer.create()
    card_id = uuid.uuid4()
    client = PivClient(connection)
    client.select()
    client.authenticate_management_key(DEFAULT_MANAGEMENT_KEY)
    public_key = client.generate_key(Slot.CARD_AUTHENTICATION)
    certificate = issuer.card_certificate(public_key, card_id=card_id)
    client.put_certificate(Slot.CARD_AUTHENTICATION, der(certificate))
    client.put_chuid(Chuid(guid=card_id, expiration=CHUID_EXPIRATION))
    return IssuedCard(card_id, public_key, certificate, issuer)


def personalise_state_file(path: Path) -> IssuedCard:
    """Issue a card in-process into ``path`` (fast; the PC/SC path is tested apart)."""
    return personalise(DirectConnection(PivCard.open(path)))
