"""The issuance-station protocol: no card is active without proof of key possession
(before certification) and a challenge answered by the written card (before activation)."""

from __future__ import annotations

import base64
import uuid

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from crypto.revocation import RevocationList, RevocationReason, accept_revocation_list
from crypto.trust import verify_trust_bundle
from tests.support.readers import ReaderKey


class CardKey:
    """What a PIV card does with its slot-9E key: sign 32 bytes as a SHA-256 digest."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())

    def spki_b64(self) -> str:
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def sign_b64(self, nonce_b64: str) -> str:
        nonce = base64.b64decode(nonce_b64)
        signature = self.key.sign(nonce, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        return base64.b64encode(signature).decode()


@pytest.fixture
def station(client, as_user, org, pki):
    return _enrolled_reader(client, as_user, org, mode="issuance")


def _enrolled_reader(client, as_user, org, *, mode):
    ticket = client.post(
        "/api/v1/readers",
        json={
            "name": "Trạm phát hành",
            "site_unit_id": str(org.units["root"].id),
            "location": "Phòng TCCB",
            "mode": mode,
        },
        headers=as_user("admin"),
    ).json()
    key = ReaderKey()
    enrolled = client.post(
        "/api/v1/reader/enrol",
        json={
            "token": ticket["enrolment_token"],
            "site_unit_id": ticket["reader"]["site_unit_id"],
            "mode": mode,
            "public_key": key.spki_b64,
        },
    )
    key.reader_id = uuid.UUID(enrolled.json()["reader_id"])
    return key


@pytest.fixture
def requested_card(client, as_user, org):
    holder = client.post(
        "/api/v1/holders",
        json={
            "staff_number": "PH001",
            "full_name": "Ngô Thị Phát",
            "unit_id": str(org.units["snv"].id),
        },
        headers=as_user("admin"),
    ).json()
    return client.post(
        "/api/v1/cards", json={"holder_id": holder["id"]}, headers=as_user("admin")
    ).json()


def _post(client, station, clock, path, body=None):
    return client.post(
        f"/api/v1/issuance{path}", json=body or {}, headers=station.headers(clock.now)
    )


def _issue(client, station, clock, card, card_key):
    started = _post(client, station, clock, "/begin", {"card_id": card["id"]})
    assert started.status_code == 200, started.text
    started = started.json()
    certified = _post(
        client,
        station,
        clock,
        f"/{started['session_id']}/certificate",
        {"public_key": card_key.spki_b64(), "signature": card_key.sign_b64(started["nonce"])},
    )
    return started, certified


def _activate(client, station, clock, session_id, card_key):
    challenge = _post(client, station, clock, f"/{session_id}/activation-challenge").json()
    return _post(
        client,
        station,
        clock,
        f"/{session_id}/activate",
        {"signature": card_key.sign_b64(challenge["nonce"])},
    )


def test_happy_path(client, as_user, station, requested_card, clock) -> None:
    card_key = CardKey()
    started, certified = _issue(client, station, clock, requested_card, card_key)
    assert started["card_serial"] == requested_card["serial"]
    assert started["holder_name"] == "Ngô Thị Phát"
    assert started["certificate"] is None
    assert certified.status_code == 200, certified.text
    assert certified.json()["chuid_guid"] == requested_card["id"]
    card = client.get(f"/api/v1/cards/{requested_card['id']}", headers=as_user("admin")).json()
    assert card["state"] == "personalising"  # certified, but not active yet
    assert card["certificate_serial"]

    finished = _activate(client, station, clock, started["session_id"], card_key)
    assert finished.status_code == 200, finished.text
    assert finished.json()["state"] == "active"
    history = client.get(
        f"/api/v1/cards/{requested_card['id']}/history", headers=as_user("admin")
    ).json()["items"]
    assert [h["to_state"] for h in history] == ["requested", "personalising", "active"]
    assert history[-1]["actor"] == f"reader:{station.reader_id}"


def test_interrupted_after_certification_can_be_resumed(
    client, as_user, station, requested_card, clock
) -> None:
    card_key = CardKey()
    _issue(client, station, clock, requested_card, card_key)
    # The station crashed before writing the card. Beginning again resumes:
    resumed = _post(client, station, clock, "/begin", {"card_id": requested_card["id"]}).json()
    assert resumed["certificate"] is not None  # write this one if the card still has the key
    finished = _activate(client, station, clock, resumed["session_id"], card_key)
    assert finished.json()["state"] == "active"


def test_resuming_with_a_new_key_revokes_the_first_certificate(
    client, as_user, station, requested_card, clock
) -> None:
    first_key = CardKey()
    _issue(client, station, clock, requested_card, first_key)
    first = client.get(f"/api/v1/cards/{requested_card['id']}", headers=as_user("admin")).json()
    second_key = CardKey()
    started, certified = _issue(client, station, clock, requested_card, second_key)
    assert certified.status_code == 200
    second = client.get(f"/api/v1/cards/{requested_card['id']}", headers=as_user("admin")).json()
    assert second["certificate_serial"] != first["certificate_serial"]
    assert _activate(client, station, clock, started["session_id"], second_key).status_code == 200
    # What a reader fetches: the first certificate is revoked, the one on the card is not.
    revoked = _published_revocations(client, clock, first["issuer_key_id"])
    entry = revoked.lookup(int(first["certificate_serial"], 16))
    assert entry is not None
    assert entry.reason == RevocationReason.CESSATION_OF_OPERATION
    assert revoked.lookup(int(second["certificate_serial"], 16)) is None


def _published_revocations(client, clock, issuer: str) -> RevocationList:
    """The complete list and, when there is one, the delta after it, as a reader takes them."""
    roots = x509.load_pem_x509_certificates(client.get("/api/v1/trust/roots").content)
    bundle = verify_trust_bundle(
        client.get("/api/v1/trust/bundle").content, roots=roots, now=clock.now
    )
    complete = client.get(f"/api/v1/trust/crls/{issuer}.crl").content
    held = accept_revocation_list(complete, trust=bundle, now=clock.now)
    delta = client.get(f"/api/v1/trust/crls/{issuer}/delta", params={"since": held.number})
    if delta.status_code == 204:
        return held
    return accept_revocation_list(delta.content, trust=bundle, now=clock.now, held=held)


def test_an_interrupted_issuance_can_be_cancelled(
    client, as_user, station, requested_card, clock
) -> None:
    _issue(client, station, clock, requested_card, CardKey())
    cancelled = client.post(
        f"/api/v1/issuance/admin/cards/{requested_card['id']}/cancel", headers=as_user("admin")
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "revoked"  # a certificate existed: it is revoked


def test_cancel_before_certification_returns_to_requested(
    client, as_user, station, requested_card, clock
) -> None:
    _post(client, station, clock, "/begin", {"card_id": requested_card["id"]})
    cancelled = _post(client, station, clock, f"/cards/{requested_card['id']}/cancel")
    assert cancelled.json()["state"] == "requested"


def test_a_nonce_is_accepted_once(client, station, requested_card, clock) -> None:
    card_key = CardKey()
    started, certified = _issue(client, station, clock, requested_card, card_key)
    assert certified.status_code == 200
    replay = _post(
        client,
        station,
        clock,
        f"/{started['session_id']}/certificate",
        {"public_key": card_key.spki_b64(), "signature": card_key.sign_b64(started["nonce"])},
    )
    assert replay.status_code == 409
    assert replay.json()["code"] == "nonce_invalid"


def test_a_proof_of_possession_that_does_not_verify(
    client, as_user, station, requested_card, clock
) -> None:
    started = _post(client, station, clock, "/begin", {"card_id": requested_card["id"]}).json()
    impostor, claimed = CardKey(), CardKey()
    response = _post(
        client,
        station,
        clock,
        f"/{started['session_id']}/certificate",
        {"public_key": claimed.spki_b64(), "signature": impostor.sign_b64(started["nonce"])},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "possession_not_proven"
    card = client.get(f"/api/v1/cards/{requested_card['id']}", headers=as_user("admin")).json()
    assert card["certificate_serial"] is None


def test_activation_needs_the_certified_key(client, as_user, station, requested_card, clock):
    started, _ = _issue(client, station, clock, requested_card, CardKey())
    response = _activate(client, station, clock, started["session_id"], CardKey())
    assert response.status_code == 422
    assert response.json()["code"] == "activation_not_proven"
    card = client.get(f"/api/v1/cards/{requested_card['id']}", headers=as_user("admin")).json()
    assert card["state"] == "personalising"


def test_an_expired_nonce_is_refused(client, station, requested_card, clock) -> None:
    card_key = CardKey()
    started = _post(client, station, clock, "/begin", {"card_id": requested_card["id"]}).json()
    clock.advance(minutes=6)
    response = _post(
        client,
        station,
        clock,
        f"/{started['session_id']}/certificate",
        {"public_key": card_key.spki_b64(), "signature": card_key.sign_b64(started["nonce"])},
    )
    assert response.json()["code"] == "nonce_invalid"


def test_a_second_active_card_for_one_holder_is_refused(
    client, as_user, station, requested_card, clock
) -> None:
    first_key = CardKey()
    started, _ = _issue(client, station, clock, requested_card, first_key)
    _activate(client, station, clock, started["session_id"], first_key)
    second = client.post(
        "/api/v1/cards", json={"holder_id": requested_card["holder_id"]}, headers=as_user("admin")
    ).json()
    second_key = CardKey()
    started, _ = _issue(client, station, clock, second, second_key)
    response = _activate(client, station, clock, started["session_id"], second_key)
    assert response.status_code == 409
    assert response.json()["code"] == "active_card_exists"


def test_only_issuance_stations_may_issue(client, as_user, org, pki, requested_card, clock):
    door = _enrolled_reader(client, as_user, org, mode="door")
    response = _post(client, door, clock, "/begin", {"card_id": requested_card["id"]})
    assert response.status_code == 403
    assert response.json()["code"] == "issuance_station_required"
