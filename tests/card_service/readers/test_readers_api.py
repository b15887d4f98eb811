"""Reader registration, one-time enrolment, signed requests, heartbeat, deregistration."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from card_service.audit.models import AuditEntry
from tests.support.readers import ReaderKey


def _register(client, as_user, org, *, mode="door", unit="snv"):
    response = client.post(
        "/api/v1/readers",
        json={
            "name": "Cổng chính",
            "site_unit_id": str(org.units[unit].id),
            "location": "Cổng A",
            "mode": mode,
        },
        headers=as_user("admin"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _enrol(client, ticket, key, *, site=None, mode=None, token=None):
    return client.post(
        "/api/v1/reader/enrol",
        json={
            "token": token or ticket["enrolment_token"],
            "site_unit_id": site or ticket["reader"]["site_unit_id"],
            "mode": mode or ticket["reader"]["mode"],
            "public_key": key.spki_b64,
            "agent_version": "test",
        },
    )


@pytest.fixture
def enrolled(client, as_user, org, pki):
    ticket = _register(client, as_user, org)
    key = ReaderKey()
    response = _enrol(client, ticket, key)
    assert response.status_code == 200, response.text
    key.reader_id = uuid.UUID(response.json()["reader_id"])
    return key


def _beat(client, key, clock, **token_args):
    return client.post(
        "/api/v1/reader/heartbeat",
        json={
            "sent_at": clock.now.isoformat(),
            "queue_depth": 3,
            "crl_numbers": {"abc": 1},
            "agent_version": "test",
        },
        headers=key.headers(clock.now, **token_args),
    )


def test_enrolment_returns_trust_anchors_and_config_keys(client, as_user, org, pki) -> None:
    ticket = _register(client, as_user, org)
    assert ticket["reader"]["state"] == "pending"
    body = _enrol(client, ticket, ReaderKey()).json()
    assert body["mode"] == "door"
    assert len(body["root_certificates"]) == 1
    assert len(body["config_keys"]) == 1
    listed = client.get(f"/api/v1/readers/{body['reader_id']}", headers=as_user("admin"))
    assert listed.json()["state"] == "active"


def test_an_enrolment_token_works_once(client, as_user, org, pki) -> None:
    ticket = _register(client, as_user, org)
    assert _enrol(client, ticket, ReaderKey()).status_code == 200
    again = _enrol(client, ticket, ReaderKey())
    assert again.status_code == 403
    assert again.json()["code"] == "enrolment_refused"


def test_an_expired_token_is_refused(client, as_user, org, pki, clock) -> None:
    ticket = _register(client, as_user, org)
    clock.advance(hours=25)
    assert _enrol(client, ticket, ReaderKey()).status_code == 403


@pytest.mark.parametrize("wrong", ["site", "mode"])
def test_a_token_for_another_site_or_mode_is_refused(client, as_user, org, pki, wrong) -> None:
    ticket = _register(client, as_user, org)
    other = {"site": str(org.units["stp"].id)} if wrong == "site" else {"mode": "attendance"}
    response = _enrol(client, ticket, ReaderKey(), **other)
    assert response.status_code == 403
    assert "another site or mode" in response.json()["detail"]
    # ...and the token was not used up by the failed attempt.
    assert _enrol(client, ticket, ReaderKey()).status_code == 200


def test_a_non_p256_key_is_refused(client, as_user, org, pki) -> None:
    ticket = _register(client, as_user, org)
    key = ReaderKey(key=ec.generate_private_key(ec.SECP384R1()))
    assert _enrol(client, ticket, key).status_code == 403


def test_heartbeat_records_status_and_clock_offset(client, as_user, enrolled, clock) -> None:
    ack = client.post(
        "/api/v1/reader/heartbeat",
        json={"sent_at": (clock.now + timedelta(minutes=10)).isoformat(), "queue_depth": 7},
        headers=enrolled.headers(clock.now),
    )
    assert ack.status_code == 200, ack.text
    assert ack.json()["clock_offset_ms"] == 600_000
    assert ack.json()["crl_numbers"]
    reader = client.get(f"/api/v1/readers/{enrolled.reader_id}", headers=as_user("admin")).json()
    assert (reader["queue_depth"], reader["clock_offset_ms"]) == (7, 600_000)


def test_a_replayed_token_is_refused(client, enrolled, clock) -> None:
    token = enrolled.token(clock.now)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"sent_at": clock.now.isoformat(), "queue_depth": 0}
    assert client.post("/api/v1/reader/heartbeat", json=body, headers=headers).status_code == 200
    replay = client.post("/api/v1/reader/heartbeat", json=body, headers=headers)
    assert replay.status_code == 401
    assert replay.json()["code"] == "reader_not_authenticated"
    assert "server_time" in replay.json()


def test_a_token_signed_by_another_readers_key_is_refused(client, enrolled, clock) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    assert _beat(client, enrolled, clock, signing_key=other).status_code == 401


@pytest.mark.parametrize(
    "claims",
    [{"aud": "ecard-api"}, {"iss": "reader:someone-else"}, {"sub": str(uuid.uuid4())}],
)
def test_wrong_claims_are_refused(client, enrolled, clock, claims) -> None:
    assert _beat(client, enrolled, clock, **claims).status_code == 401


def test_long_lived_and_stale_tokens_are_refused(client, enrolled, clock) -> None:
    assert _beat(client, enrolled, clock, lifetime=timedelta(minutes=10)).status_code == 401
    token = enrolled.token(clock.now - timedelta(minutes=10))
    stale = client.post(
        "/api/v1/reader/heartbeat",
        json={"sent_at": clock.now.isoformat(), "queue_depth": 0},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert stale.status_code == 401


def test_a_user_token_is_not_a_reader_token(client, as_user) -> None:
    response = client.post(
        "/api/v1/reader/heartbeat",
        json={"sent_at": "2026-11-24T00:00:00Z", "queue_depth": 0},
        headers=as_user("admin"),
    )
    assert response.status_code == 401


def test_deregistration_locks_the_reader_out_at_once(client, as_user, enrolled, clock) -> None:
    assert _beat(client, enrolled, clock).status_code == 200
    done = client.post(f"/api/v1/readers/{enrolled.reader_id}/deregister", headers=as_user("admin"))
    assert done.json()["state"] == "deregistered"
    assert _beat(client, enrolled, clock).status_code == 401
    assert (
        client.get("/api/v1/reader/config", headers=enrolled.headers(clock.now)).status_code == 401
    )


def test_hr_cannot_register_readers(client, as_user, org) -> None:
    response = client.post(
        "/api/v1/readers",
        json={
            "name": "x",
            "site_unit_id": str(org.units["snv"].id),
            "location": "y",
            "mode": "door",
        },
        headers=as_user("hr"),
    )
    assert response.status_code == 403


def test_a_new_enrolment_token_is_audited_without_the_token(client, as_user, org, session) -> None:
    ticket = _register(client, as_user, org)
    reader_id = ticket["reader"]["id"]
    again = client.post(f"/api/v1/readers/{reader_id}/enrolment-token", headers=as_user("admin"))
    assert again.status_code in {200, 201}, again.text
    token = again.json()["enrolment_token"]
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "reader.enrolment_token_issued")
    ).all()
    assert len(entries) == 1
    [entry] = entries
    assert entry.actor == "user:admin"
    assert str(entry.object_id) == reader_id
    assert entry.data == {"expires_at": again.json()["expires_at"].replace("Z", "+00:00")}
    assert token not in str(entry.data)
    # The token handed back is the one that enrols.
    key = ReaderKey()
    assert _enrol(client, ticket, key, token=token).status_code == 200
