"""Online verification: the reader's checks done by the service, plus the live state."""

from __future__ import annotations

import base64
import uuid

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from card_service.cards.models import Card, CardState
from card_service.pki.authorities import current_issuing_ca
from card_service.pki.revocations import serial_text
from crypto.card_certificates import (
    CardCertificateProfile,
    issue_card_certificate,
    parse_card_certificate,
)


class Card9E:
    """A card's slot-9E key and certificate."""

    def __init__(self, der: bytes, key: ec.EllipticCurvePrivateKey) -> None:
        self.der, self.key = der, key

    def answer(self, client, headers, *, key=None):
        challenge = client.post("/api/v1/verify/challenges", headers=headers).json()
        raw = base64.b64decode(challenge["challenge"])
        signature = (key or self.key).sign(raw, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        return challenge, {
            "challenge_id": challenge["challenge_id"],
            "certificate": base64.b64encode(self.der).decode(),
            "signature": base64.b64encode(signature).decode(),
        }


@pytest.fixture
def card(client, as_user, org, session, pki, clock):
    holder = client.post(
        "/api/v1/holders",
        json={"staff_number": "V1", "full_name": "Vũ Thị Hà", "unit_id": str(org.units["snv"].id)},
        headers=as_user("admin"),
    ).json()
    created = client.post(
        "/api/v1/cards", json={"holder_id": holder["id"]}, headers=as_user("admin")
    ).json()
    row = session.get(Card, uuid.UUID(created["id"]))
    key = ec.generate_private_key(ec.SECP256R1())
    ca = current_issuing_ca(session, pki)
    der = issue_card_certificate(
        ca,
        card_id=row.id,
        holder_id=row.holder_id,
        card_public_key=key.public_key(),
        now=clock.now,
        profile=CardCertificateProfile(crl_url=pki.crl_url(ca.key_id)),
    )
    facts = parse_card_certificate(der)
    row.issuer_key_id, row.certificate_serial = facts.issuer_key_id, serial_text(facts.serial)
    row.certificate_fingerprint, row.certificate_der = facts.fingerprint, der
    row.valid_from, row.valid_until, row.state = facts.not_before, facts.not_after, CardState.ACTIVE
    session.commit()
    return Card9E(der, key)


def _verify(client, headers, body):
    return client.post("/api/v1/verify", json=body, headers=headers).json()


def test_a_genuine_active_card(client, as_user, card) -> None:
    headers = as_user("counter")
    _, body = card.answer(client, headers)
    result = _verify(client, headers, body)
    assert result["verdict"] == "valid", result
    assert result["holder_name"] == "Vũ Thị Hà"
    assert result["card_state"] == "active"


def test_a_revoked_card(client, as_user, card) -> None:
    cards = client.get("/api/v1/cards", headers=as_user("admin")).json()["items"]
    client.post(
        f"/api/v1/cards/{cards[0]['id']}/revoke",
        json={"reason": "stolen", "comment": "báo mất"},
        headers=as_user("admin"),
    )
    headers = as_user("counter")
    _, body = card.answer(client, headers)
    assert _verify(client, headers, body)["reason"] == "revoked"


def test_a_copied_certificate_answered_by_another_key(client, as_user, card) -> None:
    headers = as_user("counter")
    _, body = card.answer(client, headers, key=ec.generate_private_key(ec.SECP256R1()))
    assert _verify(client, headers, body)["reason"] == "challenge_mismatch"


def test_a_challenge_answers_once(client, as_user, card) -> None:
    headers = as_user("counter")
    _, body = card.answer(client, headers)
    assert _verify(client, headers, body)["verdict"] == "valid"
    assert _verify(client, headers, body)["reason"] == "challenge_unknown_or_used"


def test_a_challenge_is_bound_to_who_asked(client, as_user, card) -> None:
    _, body = card.answer(client, as_user("counter"))
    assert _verify(client, as_user("admin"), body)["reason"] == "challenge_unknown_or_used"


def test_an_expired_challenge(client, as_user, card, clock) -> None:
    headers = as_user("counter")
    _, body = card.answer(client, headers)
    clock.advance(seconds=31)
    headers = as_user("counter")
    assert _verify(client, headers, body)["reason"] == "challenge_expired"


def test_garbage_certificate(client, as_user, card) -> None:
    headers = as_user("counter")
    _, body = card.answer(client, headers)
    body["certificate"] = base64.b64encode(b"\x30\x03\x02\x01\x00").decode()
    assert _verify(client, headers, body)["verdict"] == "invalid"


@pytest.mark.parametrize("role", ["hr", "auditor"])
def test_only_counter_staff_and_admins_verify(client, as_user, role) -> None:
    assert client.post("/api/v1/verify/challenges", headers=as_user(role)).status_code == 403
