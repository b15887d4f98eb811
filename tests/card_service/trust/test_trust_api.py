"""Public trust material: the signed bundle, complete CRLs (DER and PEM), deltas."""

from __future__ import annotations

import uuid

import pytest
from cryptography import x509

from card_service.cards.models import Card, CardState
from card_service.pki import revocations
from card_service.pki.authorities import authority
from crypto.revocation import accept_revocation_list
from crypto.trust import verify_trust_bundle
from tests.card_service.cards.certificates import certify


@pytest.fixture
def issuer(client, pki):
    state = client.get("/api/v1/trust/state").json()
    (issuer_key_id,) = state["crl_numbers"]
    return issuer_key_id


def _bundle(client, clock):
    roots = x509.load_pem_x509_certificates(client.get("/api/v1/trust/roots").content)
    return verify_trust_bundle(
        client.get("/api/v1/trust/bundle").content, roots=roots, now=clock.now
    )


def test_bundle_and_complete_crl_verify(client, issuer, clock) -> None:
    bundle = _bundle(client, clock)
    assert issuer in bundle.issuers
    der = client.get(f"/api/v1/trust/crls/{issuer}.crl")
    assert der.headers["content-type"] == "application/pkix-crl"
    held = accept_revocation_list(der.content, trust=bundle, now=clock.now)
    assert held.number == int(der.headers["X-CRL-Number"]) == 1
    pem = client.get(f"/api/v1/trust/crls/{issuer}.pem")
    assert pem.text.startswith("-----BEGIN X509 CRL-----")
    assert (
        x509.load_pem_x509_crl(pem.content).public_bytes(
            __import__("cryptography").hazmat.primitives.serialization.Encoding.DER
        )
        == der.content
    )


def test_deltas_carry_a_reader_forward(client, as_user, org, issuer, session, pki, clock):
    holder = client.post(
        "/api/v1/holders",
        json={"staff_number": "T1", "full_name": "Tín Nhiệm", "unit_id": str(org.units["snv"].id)},
        headers=as_user("admin"),
    ).json()
    card = client.post(
        "/api/v1/cards", json={"holder_id": holder["id"]}, headers=as_user("admin")
    ).json()
    row = session.get(Card, uuid.UUID(card["id"]))
    certify(session, pki, row, now=clock.now, state=CardState.ACTIVE)
    session.commit()
    bundle = _bundle(client, clock)
    held = accept_revocation_list(
        client.get(f"/api/v1/trust/crls/{issuer}.crl").content, trust=bundle, now=clock.now
    )
    assert (
        client.get(f"/api/v1/trust/crls/{issuer}/delta", params={"since": held.number}).status_code
        == 204
    )

    client.post(
        f"/api/v1/cards/{card['id']}/revoke",
        json={"reason": "lost", "comment": "mất"},
        headers=as_user("admin"),
    )
    delta = client.get(f"/api/v1/trust/crls/{issuer}/delta", params={"since": held.number})
    assert delta.status_code == 200
    newer = accept_revocation_list(delta.content, trust=bundle, now=clock.now, held=held)
    assert newer.lookup(int(row.certificate_serial, 16)) is not None


def test_a_reader_behind_the_base_must_fetch_the_complete_list(
    client, issuer, pki, session, clock
) -> None:
    # Two new complete lists (numbers 2 and 3): nothing chains from number 1 any more.
    for _ in range(2):
        revocations.publish_complete(session, pki, authority(session, pki, issuer), now=clock.now)
    session.commit()
    response = client.get(f"/api/v1/trust/crls/{issuer}/delta", params={"since": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "delta_unavailable"
    assert response.json()["complete_number"] == 3
    assert client.get(f"/api/v1/trust/crls/{issuer}/delta", params={"since": 3}).status_code == 204


def test_unknown_issuer(client, pki) -> None:
    response = client.get("/api/v1/trust/crls/" + "ab" * 20 + ".crl")
    assert response.status_code == 404
    assert response.json()["code"] == "issuer_not_found"
