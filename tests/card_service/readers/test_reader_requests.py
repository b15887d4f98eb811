"""A reader's requests over HTTP: its token stays used when the request fails; a
heartbeat from a clock decades off is answered, not a server error."""

from __future__ import annotations

import uuid

import pytest

from tests.support.readers import ReaderKey


@pytest.fixture
def door_reader(client, as_user, org, pki) -> ReaderKey:
    ticket = client.post(
        "/api/v1/readers",
        json={
            "name": "Cổng B",
            "site_unit_id": str(org.units["snv"].id),
            "location": "Cổng B",
            "mode": "door",
        },
        headers=as_user("admin"),
    )
    assert ticket.status_code == 201, ticket.text
    key = ReaderKey()
    enrolled = client.post(
        "/api/v1/reader/enrol",
        json={
            "token": ticket.json()["enrolment_token"],
            "site_unit_id": str(org.units["snv"].id),
            "mode": "door",
            "public_key": key.spki_b64,
            "agent_version": "test",
        },
    )
    assert enrolled.status_code == 200, enrolled.text
    key.reader_id = uuid.UUID(enrolled.json()["reader_id"])
    return key


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        # The handler refuses (a door reader is no issuance station): its transaction
        # rolls back.
        ({"card_id": str(uuid.uuid4())}, 403, "issuance_station_required"),
        # The body is refused before the handler runs.
        ({"card_id": "not a uuid"}, 422, "validation_failed"),
    ],
)
def test_a_token_stays_used_when_its_request_fails(
    client, door_reader, clock, body, status, code
) -> None:
    headers = door_reader.headers(clock.now)
    refused = client.post("/api/v1/issuance/begin", json=body, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    replay = client.get("/api/v1/reader/config", headers=headers)
    assert replay.status_code == 401
    assert replay.json()["code"] == "reader_not_authenticated"
    # A fresh token still works: only the used one is refused.
    assert client.get("/api/v1/reader/config", headers=door_reader.headers(clock.now)).is_success


def test_a_clock_off_by_decades_is_answered_not_an_error(
    client, as_user, door_reader, clock
) -> None:
    """A dead RTC battery: the reader's clock says 2000. The answer carries the whole
    offset; the stored one is capped to its 32-bit column."""
    ack = client.post(
        "/api/v1/reader/heartbeat",
        json={"sent_at": "2000-01-01T00:00:00Z", "queue_depth": 0},
        headers=door_reader.headers(clock.now),
    )
    assert ack.status_code == 200, ack.text
    offset = ack.json()["clock_offset_ms"]
    assert offset < -(2**31)
    reader = client.get(f"/api/v1/readers/{door_reader.reader_id}", headers=as_user("admin")).json()
    assert reader["clock_offset_ms"] == -(2**31 - 1)
    too_deep = client.post(
        "/api/v1/reader/heartbeat",
        json={"sent_at": clock.now.isoformat(), "queue_depth": 2**31},
        headers=door_reader.headers(clock.now),
    )
    assert too_deep.status_code == 422
