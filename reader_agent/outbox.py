"""The reader's outbox: every decided tap, committed to SQLite before the door opens.

WAL journal with ``synchronous=FULL``: when ``append`` returns, the event is on disk
and survives the process being killed (and, with the filesystem's help, a power
cut). ``append`` numbers events with the reader's sequence counter, kept in the
same database and advanced in the same transaction, so numbers are never reused or
skipped. Uploading is separate: ``pending`` gives the oldest unsent events,
``mark_sent`` and ``mark_refused`` record the service's answer.
"""

from __future__ import annotations

import logging
import re
import secrets
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from reader_agent.errors import ReaderAgentError
from reader_protocol.events import REASON_MAX_LENGTH, Decision, TapEventMessage, TapKind
from reader_protocol.ids import RANDOM_BYTES, unix_millis, uuid7, uuid7_millis, uuid7_time

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_REASON = re.compile(r"^[a-z0-9_.-]+$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO outbox_counter (name, value) VALUES ('reader_seq', 0);
CREATE TABLE IF NOT EXISTS tap_events (
    reader_seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    card_id TEXT,
    holder_id TEXT,
    kind TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('granted', 'denied')),
    reason TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'refused'))
) STRICT;
CREATE INDEX IF NOT EXISTS tap_events_by_state ON tap_events (state, reader_seq);
"""
_COLUMNS = "reader_seq, id, occurred_at, card_id, holder_id, kind, decision, reason"


class OutboxError(ReaderAgentError):
    """The outbox could not store or read events; the reader must not open the door."""


@dataclass(frozen=True)
class TapEventDraft:
    """A decided tap before the outbox numbers it. ``id`` is a UUIDv7 whose time is
    ``occurred_at`` to the millisecond (the service refuses any other)."""

    id: uuid.UUID
    occurred_at: datetime
    kind: TapKind
    decision: Decision
    reason: str
    card_id: uuid.UUID | None = None
    holder_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be an aware datetime")
        if uuid7_millis(self.id) != unix_millis(self.occurred_at):
            raise ValueError("the event id's time is not occurred_at")
        if len(self.reason) > REASON_MAX_LENGTH or not _REASON.match(self.reason):
            raise ValueError(f"reason {self.reason!r} is not a short lower-case code")

    @classmethod
    def decided(
        cls,
        *,
        now: datetime,
        kind: TapKind,
        decision: Decision,
        reason: str,
        card_id: uuid.UUID | None = None,
        holder_id: uuid.UUID | None = None,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> TapEventDraft:
        """A new event at reader time ``now``, kept to the millisecond of its id."""
        event_id = uuid7(unix_millis(now), random_bytes(RANDOM_BYTES))
        return cls(
            id=event_id,
            occurred_at=uuid7_time(event_id),
            kind=kind,
            decision=decision,
            reason=reason,
            card_id=card_id,
            holder_id=holder_id,
        )


@dataclass(frozen=True)
class TapEvent:
    """An event as the outbox holds it: a draft plus its reader sequence number."""

    reader_seq: int
    draft: TapEventDraft

    @property
    def id(self) -> uuid.UUID:
        return self.draft.id

    def to_message(self) -> TapEventMessage:
        draft = self.draft
        return TapEventMessage(
            id=draft.id,
            reader_seq=self.reader_seq,
            occurred_at=draft.occurred_at,
            card_id=draft.card_id,
            holder_id=draft.holder_id,
            kind=draft.kind,
            decision=draft.decision,
            reason=draft.reason,
        )


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    sent: int
    refused: int


class Outbox:
    """One SQLite outbox. Use ``Outbox.open(path)``; the constructor does no I/O."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    @classmethod
    def open(cls, path: Path) -> Outbox:
        try:
            # Autocommit mode: transactions are explicit BEGIN IMMEDIATE ... COMMIT.
            connection = sqlite3.connect(path, isolation_level=None, timeout=10.0)
        except sqlite3.Error as exc:
            raise OutboxError(f"cannot open the outbox at {path}: {exc}") from exc
        try:
            _configure(connection, path)
        except BaseException:
            connection.close()
            raise
        return cls(connection)

    def append(self, draft: TapEventDraft) -> int:
        """Commit ``draft`` and return its reader sequence number. Appending an event
        that is already stored (a retry) returns its number and stores nothing."""
        with self._transaction() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM tap_events WHERE id = ?",  # noqa: S608 - constant columns
                (str(draft.id),),
            ).fetchone()
            if row is not None:
                stored = _event(row)
                if stored.draft != draft:
                    raise OutboxError(f"event {draft.id} is stored with other content")
                return stored.reader_seq
            (seq,) = db.execute(
                "UPDATE outbox_counter SET value = value + 1 WHERE name = 'reader_seq' "
                "RETURNING value"
            ).fetchone()
            db.execute(
                f"INSERT INTO tap_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (seq, *_row(draft)),
            )
        logger.debug("outbox: event %s stored as #%d", draft.id, seq)
        return int(seq)

    def pending(self, limit: int = 500) -> list[TapEvent]:
        """The oldest events not yet accepted by the service, in sequence order."""
        if limit < 1:
            raise ValueError("ask for at least one event")
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM tap_events WHERE state = 'pending' "  # noqa: S608
                "ORDER BY reader_seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [_event(row) for row in rows]

    def mark_sent(self, ids: Iterable[uuid.UUID]) -> int:
        """The service stored these (or had them already): never send them again."""
        return self._set_state(ids, "sent")

    def mark_refused(self, ids: Iterable[uuid.UUID]) -> int:
        """The service refused these: keep them for an operator, stop re-sending."""
        return self._set_state(ids, "refused")

    def counts(self) -> OutboxCounts:
        with self._reading() as db:
            rows = dict(db.execute("SELECT state, count(*) FROM tap_events GROUP BY state"))
        return OutboxCounts(rows.get("pending", 0), rows.get("sent", 0), rows.get("refused", 0))

    def last_granted(
        self, holder_id: uuid.UUID, kinds: Iterable[TapKind]
    ) -> tuple[TapKind, datetime] | None:
        """The kind and time of the holder's newest granted event among ``kinds``."""
        wanted = [kind.value for kind in kinds]
        if not wanted:
            return None
        marks = ", ".join("?" for _ in wanted)
        with self._reading() as db:
            row = db.execute(
                f"SELECT kind, occurred_at FROM tap_events WHERE holder_id = ? "  # noqa: S608
                f"AND decision = 'granted' AND kind IN ({marks}) "
                "ORDER BY reader_seq DESC LIMIT 1",
                (str(holder_id), *wanted),
            ).fetchone()
        if row is None:
            return None
        return TapKind(row[0]), datetime.fromisoformat(row[1])

    def forget_sent(self, before: datetime) -> int:
        """Delete events the service stored that occurred before ``before`` (the
        sequence counter lives apart, so numbers are never reused). Pending and refused
        events are never deleted."""
        cutoff = before.isoformat(timespec="milliseconds")
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM tap_events WHERE state = 'sent' AND occurred_at < ?", (cutoff,)
            )
            return int(cursor.rowcount)

    def oldest_pending_at(self) -> datetime | None:
        with self._reading() as db:
            row = db.execute(
                "SELECT occurred_at FROM tap_events WHERE state = 'pending' "
                "ORDER BY reader_seq LIMIT 1"
            ).fetchone()
        return None if row is None else datetime.fromisoformat(row[0])

    def last_reader_seq(self) -> int:
        with self._reading() as db:
            (value,) = db.execute(
                "SELECT value FROM outbox_counter WHERE name = 'reader_seq'"
            ).fetchone()
        return int(value)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _set_state(self, ids: Iterable[uuid.UUID], state: str) -> int:
        keys = [(state, str(event_id)) for event_id in ids]
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "UPDATE tap_events SET state = ? WHERE id = ? AND state = 'pending'", keys
            )
            return db.total_changes - before

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:  # a failed COMMIT can leave the transaction open
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise OutboxError(f"outbox write failed: {exc}") from exc

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self._connection
        except sqlite3.Error as exc:
            raise OutboxError(f"outbox read failed: {exc}") from exc


def _configure(connection: sqlite3.Connection, path: Path) -> None:
    try:
        (mode,) = connection.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode != "wal":  # e.g. a filesystem without shared memory
            raise OutboxError(f"the outbox at {path} cannot use WAL (journal {mode})")
        connection.execute("PRAGMA synchronous = FULL")
        connection.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except sqlite3.Error as exc:
        raise OutboxError(f"cannot prepare the outbox at {path}: {exc}") from exc


def _row(draft: TapEventDraft) -> tuple[str | None, ...]:
    return (
        str(draft.id),
        draft.occurred_at.isoformat(timespec="milliseconds"),
        str(draft.card_id) if draft.card_id else None,
        str(draft.holder_id) if draft.holder_id else None,
        draft.kind.value,
        draft.decision.value,
        draft.reason,
    )


def _event(row: tuple[int, str, str, str | None, str | None, str, str, str]) -> TapEvent:
    seq, event_id, occurred_at, card_id, holder_id, kind, decision, reason = row
    return TapEvent(
        reader_seq=seq,
        draft=TapEventDraft(
            id=uuid.UUID(event_id),
            occurred_at=datetime.fromisoformat(occurred_at),
            kind=TapKind(kind),
            decision=Decision(decision),
            reason=reason,
            card_id=uuid.UUID(card_id) if card_id else None,
            holder_id=uuid.UUID(holder_id) if holder_id else None,
        ),
    )
