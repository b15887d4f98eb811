"""The batch endpoint over HTTP: the reader's contract as it sees it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from card_service.events.models import TapEvent
from card_service.readers.dependencies import current_reader
from reader_protocol.events import MAX_EVENTS_PER_BATCH, TapEventMessage
from tests.card_service.conftest import START
from tests.card_service.events.factories import batch, make_holder, make_reader, tap


def test_uploads_without_a_reader_token_are_refused(client, org) -> None:
    body = batch([], sent_at=START).model_dump(mode="json")
    response = client.post("/api/v1/events/batches", json=body)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "reader_not_authenticated"


def test_a_reader_uploads_and_resends_a_batch(client, org, session) -> None:
    unit = org.units["snv"]
    reader = make_reader(session, unit)
    holder = make_holder(session, unit, "Trần Thị Bình", "NV100")
    session.commit()
    client.app.dependency_overrides[current_reader] = lambda: reader
    events = [tap(START - timedelta(minutes=m), holder=holder) for m in (3, 2, 1)]
    body = batch(events, sent_at=START - timedelta(seconds=90)).model_dump(mode="json")

    first = client.post("/api/v1/events/batches", json=body)
    again = client.post("/api/v1/events/batches", json=body)

    assert first.status_code == 200, first.text
    assert first.json()["stored"] == [str(e.id) for e in events]
    assert first.json()["clock_offset_ms"] == -90_000
    assert again.json()["stored"] == []
    assert again.json()["duplicates"] == [str(e.id) for e in events]
    assert session.scalar(select(func.count()).select_from(TapEvent)) == 3


def test_a_malformed_batch_is_a_validation_problem(client, org, session) -> None:
    reader = make_reader(session, org.units["snv"])
    session.commit()
    client.app.dependency_overrides[current_reader] = lambda: reader
    response = client.post("/api/v1/events/batches", json={"sent_at": "yesterday", "events": []})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def _event_json(event: TapEventMessage) -> dict[str, Any]:
    return event.model_dump(mode="json")


def test_malformed_events_are_refused_alone_and_the_good_ones_stored(client, org, session) -> None:
    unit = org.units["snv"]
    reader = make_reader(session, unit)
    holder = make_holder(session, unit, "Lê Văn Cường", "NV101")
    session.commit()
    client.app.dependency_overrides[current_reader] = lambda: reader
    good = [tap(START - timedelta(minutes=m), holder=holder) for m in (5, 4)]
    unknown_kind = {**_event_json(tap(START, holder=holder)), "kind": "teleport"}
    bad_reason = {**_event_json(tap(START, holder=holder)), "reason": "Not A Code"}
    negative_seq = {**_event_json(tap(START, holder=holder)), "reader_seq": -1}
    extra_field = {**_event_json(tap(START, holder=holder)), "colour": "red"}
    unreadable_id = {**_event_json(tap(START, holder=holder)), "id": "not-a-uuid"}
    no_id = {k: v for k, v in _event_json(tap(START, holder=holder)).items() if k != "id"}
    events = [
        _event_json(good[0]),
        unknown_kind,
        bad_reason,
        negative_seq,
        extra_field,
        unreadable_id,
        no_id,
        42,
        _event_json(good[1]),
    ]

    response = client.post(
        "/api/v1/events/batches", json={"sent_at": START.isoformat(), "events": events}
    )

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["stored"] == [str(e.id) for e in good]
    assert answer["duplicates"] == []
    refused = answer["refused"]
    assert [(r["index"], r["id"], r["code"]) for r in refused] == [
        (1, unknown_kind["id"], "invalid_event"),
        (2, bad_reason["id"], "invalid_event"),
        (3, negative_seq["id"], "invalid_event"),
        (4, extra_field["id"], "invalid_event"),
        (5, None, "invalid_event"),  # an id that does not parse: reported by position only
        (6, None, "invalid_event"),
        (7, None, "invalid_event"),
    ]
    details = [r["detail"] for r in refused]
    assert details[0].startswith("kind: ")
    assert details[1].startswith("reason: ")
    assert details[2].startswith("reader_seq: ")
    assert details[3].startswith("colour: ")
    assert details[4].startswith("id: ")
    assert details[5].startswith("id: Field required")
    assert "valid dictionary" in details[6]
    assert session.scalar(select(func.count()).select_from(TapEvent)) == 2


def test_the_envelope_stays_strict(client, org, session) -> None:
    reader = make_reader(session, org.units["snv"])
    session.commit()
    client.app.dependency_overrides[current_reader] = lambda: reader
    sent_at = START.isoformat()
    bodies: list[dict[str, Any]] = [
        {"sent_at": sent_at, "events": [], "note": "extra"},
        {"events": []},
        {"sent_at": sent_at, "events": {"not": "a list"}},
        {"sent_at": sent_at, "events": [{}] * (MAX_EVENTS_PER_BATCH + 1)},
    ]
    for body in bodies:
        response = client.post("/api/v1/events/batches", json=body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_failed"


def test_the_openapi_schema_describes_each_event(client) -> None:
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/v1/events/batches"]["post"]["requestBody"]
    envelope_ref = body["content"]["application/json"]["schema"]["$ref"]
    envelope = schema["components"]["schemas"][envelope_ref.rsplit("/", 1)[1]]
    assert envelope["additionalProperties"] is False
    assert envelope["properties"]["events"]["items"] == {
        "$ref": "#/components/schemas/TapEventMessage"
    }
    refused = schema["components"]["schemas"]["RefusedEvent"]
    assert set(refused["required"]) == {"index", "id", "code", "detail"}
