"""Per-event validation: the whole list at once when it is valid, one by one otherwise."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from card_service.events.validation import DETAIL_MAX_LENGTH, validate_events
from reader_protocol.events import RefusalCode, TapEventMessage
from tests.card_service.events.factories import tap

NOW = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)


def _json(event: TapEventMessage) -> dict[str, Any]:
    return event.model_dump(mode="json")


def test_a_valid_batch_is_validated_as_a_whole() -> None:
    events = [tap(NOW), tap(NOW)]
    validated, refused = validate_events([_json(e) for e in events])
    assert validated == events
    assert refused == []


def test_invalid_events_leave_a_gap_and_a_refusal() -> None:
    good = tap(NOW)
    bad = {**_json(tap(NOW)), "decision": "maybe"}
    validated, refused = validate_events([bad, _json(good), "not an object"])
    assert validated == [None, good, None]
    assert [(r.index, r.id, r.code) for r in refused] == [
        (0, uuid.UUID(bad["id"]), RefusalCode.INVALID_EVENT),
        (2, None, RefusalCode.INVALID_EVENT),
    ]
    assert refused[0].detail.startswith("decision: Input should be 'granted' or 'denied'")


def test_a_long_explanation_is_cut_short() -> None:
    everything_wrong: dict[str, object] = dict.fromkeys(
        ("id", "reader_seq", "occurred_at", "kind"), "x" * 300
    )
    everything_wrong.update({f"unexpected_field_number_{n}": n for n in range(20)})
    _, refused = validate_events([everything_wrong])
    assert len(refused[0].detail) == DETAIL_MAX_LENGTH
    assert refused[0].detail.endswith("...")
