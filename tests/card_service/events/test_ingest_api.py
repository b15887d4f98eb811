"""The batch endpoint over HTTP: the reader's contract as it sees it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from card_service.events.models import TapEvent
from card_service.readers.dependencies import current_reader
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
