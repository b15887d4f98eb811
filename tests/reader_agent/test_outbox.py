from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader_agent.outbox import Outbox, OutboxCounts, OutboxError, TapEventDraft
from reader_protocol.events import Decision, TapEventMessage, TapKind
from reader_protocol.ids import uuid7_time

NOW = datetime(2026, 11, 24, 1, 2, 3, 456_789, tzinfo=UTC)


def _draft(
    at: datetime = NOW, *, decision: Decision = Decision.GRANTED, salt: int = 0
) -> TapEventDraft:
    return TapEventDraft.decided(
        now=at,
        kind=TapKind.DOOR,
        decision=decision,
        reason="ok" if decision == Decision.GRANTED else "card_revoked",
        card_id=uuid.UUID(int=1),
        holder_id=uuid.UUID(int=2),
        random_bytes=lambda n: salt.to_bytes(n, "big"),
    )


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox.open(tmp_path / "outbox.sqlite3") as opened:
        yield opened


def test_a_draft_is_timed_by_its_uuid7_to_the_millisecond() -> None:
    draft = _draft()
    assert draft.occurred_at == NOW.replace(microsecond=456_000)
    assert uuid7_time(draft.id) == draft.occurred_at


def test_drafts_refuse_what_the_service_would_refuse() -> None:
    good = _draft()
    with pytest.raises(ValueError, match="not occurred_at"):
        TapEventDraft(good.id, NOW + timedelta(seconds=1), TapKind.DOOR, Decision.GRANTED, "ok")
    with pytest.raises(ValueError, match="short lower-case code"):
        TapEventDraft(good.id, good.occurred_at, TapKind.DOOR, Decision.DENIED, "Revoked!")
    with pytest.raises(ValueError, match="not a UUIDv7"):
        TapEventDraft(uuid.uuid4(), good.occurred_at, TapKind.DOOR, Decision.DENIED, "x")


def test_append_numbers_events_in_order_and_pending_returns_them(outbox: Outbox) -> None:
    drafts = [_draft(NOW + timedelta(seconds=i), salt=i) for i in range(5)]
    assert [outbox.append(d) for d in drafts] == [1, 2, 3, 4, 5]
    pending = outbox.pending(3)
    assert [e.reader_seq for e in pending] == [1, 2, 3]
    assert [e.draft for e in pending] == drafts[:3]


def test_pending_needs_a_positive_limit(outbox: Outbox) -> None:
    with pytest.raises(ValueError, match="at least one"):
        outbox.pending(0)


def test_sent_events_leave_pending_and_numbers_are_never_reused(outbox: Outbox) -> None:
    first, second = _draft(salt=1), _draft(salt=2)
    outbox.append(first)
    outbox.append(second)
    assert outbox.mark_sent([first.id, uuid.uuid4()]) == 1
    assert [e.id for e in outbox.pending()] == [second.id]
    assert outbox.mark_refused([second.id]) == 1
    assert outbox.pending() == []
    assert outbox.append(_draft(salt=3)) == 3
    assert outbox.counts() == OutboxCounts(pending=1, sent=1, refused=1)


def test_appending_the_same_event_again_stores_it_once(outbox: Outbox) -> None:
    draft = _draft()
    assert outbox.append(draft) == 1
    assert outbox.append(draft) == 1
    assert outbox.last_reader_seq() == 1
    assert len(outbox.pending()) == 1


def test_the_same_id_with_other_content_is_refused(outbox: Outbox) -> None:
    draft = _draft()
    outbox.append(draft)
    forged = TapEventDraft(draft.id, draft.occurred_at, draft.kind, Decision.DENIED, "card_revoked")
    with pytest.raises(OutboxError, match="other content"):
        outbox.append(forged)
    assert outbox.last_reader_seq() == 1


def test_the_counter_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with Outbox.open(path) as outbox:
        outbox.append(_draft(salt=1))
        outbox.mark_sent([e.id for e in outbox.pending()])
    with Outbox.open(path) as outbox:
        assert outbox.append(_draft(salt=2)) == 2


def test_the_database_is_wal_with_full_sync(tmp_path: Path, outbox: Outbox) -> None:
    connection = outbox._connection  # the pragmas are what this test is about
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL


def test_events_become_the_shared_message(outbox: Outbox) -> None:
    draft = _draft(decision=Decision.DENIED)
    outbox.append(draft)
    message = outbox.pending()[0].to_message()
    assert message == TapEventMessage(
        id=draft.id,
        reader_seq=1,
        occurred_at=draft.occurred_at,
        card_id=uuid.UUID(int=1),
        holder_id=uuid.UUID(int=2),
        kind=TapKind.DOOR,
        decision=Decision.DENIED,
        reason="card_revoked",
    )


def test_an_unusable_database_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutboxError):
        Outbox.open(path)


def test_a_write_that_fails_leaves_nothing_half_done(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with Outbox.open(path) as outbox:
        outbox.append(_draft(salt=1))
    # Another writer holds the database: the append waits, then fails whole.
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    outbox = Outbox(sqlite3.connect(path, isolation_level=None, timeout=0.1))
    with pytest.raises(OutboxError, match="locked"):
        outbox.append(_draft(salt=2))
    blocker.execute("ROLLBACK")
    assert outbox.append(_draft(salt=2)) == 2
    outbox.close()
    blocker.close()
