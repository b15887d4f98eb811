"""Writing validated tap events, once each: bulk COPY on PostgreSQL, executemany elsewhere.

Both paths answer the same question for a list of rows: which ids were stored now,
which were already stored with the same content (duplicates), and which were already
stored with different content (conflicting duplicates, refused).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from card_service.events.models import TapEvent

# The columns that make up an event's content; received_at and clock_offset_ms belong
# to one upload and naturally differ between a first upload and a re-send.
CONTENT = ("reader_id", "reader_seq", "card_id", "holder_id", "kind", "decision", "reason")
COLUMNS = ("id", "occurred_at", *CONTENT, "received_at", "clock_offset_ms")
PG_TYPES = (
    "uuid",
    "timestamptz",
    "uuid",
    "int8",
    "uuid",
    "uuid",
    "text",
    "text",
    "text",
    "timestamptz",
    "int4",
)
STAGING = "tap_events_incoming"


@dataclass(frozen=True)
class EventRow:
    id: uuid.UUID
    occurred_at: datetime
    reader_id: uuid.UUID
    reader_seq: int
    card_id: uuid.UUID | None
    holder_id: uuid.UUID | None
    kind: str
    decision: str
    reason: str
    received_at: datetime
    clock_offset_ms: int

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, column) for column in COLUMNS)

    def content(self) -> tuple[Any, ...]:
        return tuple(getattr(self, column) for column in CONTENT)


@dataclass(frozen=True)
class StoreOutcome:
    stored: set[uuid.UUID]
    duplicates: set[uuid.UUID]
    conflicting: set[uuid.UUID]


def store_events(session: Session, rows: Sequence[EventRow]) -> StoreOutcome:
    if not rows:
        return StoreOutcome(set(), set(), set())
    if session.get_bind().dialect.name == "postgresql":
        return _store_postgresql(session, rows)
    return _store_portable(session, rows)


_CREATE_STAGING = f"""
CREATE TEMP TABLE IF NOT EXISTS {STAGING} (
    id uuid NOT NULL, occurred_at timestamptz NOT NULL, reader_id uuid NOT NULL,
    reader_seq bigint NOT NULL, card_id uuid, holder_id uuid, kind text NOT NULL,
    decision text NOT NULL, reason text NOT NULL, received_at timestamptz NOT NULL,
    clock_offset_ms integer NOT NULL
) ON COMMIT DELETE ROWS
"""
_COLUMN_LIST = ", ".join(COLUMNS)
_MERGE = (
    f"INSERT INTO tap_events ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM {STAGING} "  # noqa: S608
    "ON CONFLICT (id, occurred_at) DO NOTHING RETURNING id"
)
_CONFLICTS = (
    f"SELECT s.id FROM {STAGING} s JOIN tap_events t "  # noqa: S608
    "ON t.id = s.id AND t.occurred_at = s.occurred_at "
    f"WHERE ({', '.join('t.' + c for c in CONTENT)}) IS DISTINCT FROM "
    f"({', '.join('s.' + c for c in CONTENT)})"
)


def _store_postgresql(session: Session, rows: Sequence[EventRow]) -> StoreOutcome:
    # One COPY into a session-local staging table, then one INSERT ... SELECT that skips
    # ids already stored and says which ones it inserted: no row-at-a-time round trips.
    raw = session.connection().connection.driver_connection
    assert raw is not None  # noqa: S101 - a live connection always has its DBAPI object
    with raw.cursor() as cursor:
        cursor.execute(_CREATE_STAGING)
        cursor.execute(f"DELETE FROM {STAGING}")  # noqa: S608 - a constant name
        with cursor.copy(f"COPY {STAGING} ({_COLUMN_LIST}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(PG_TYPES)
            for row in rows:
                copy.write_row(row.values())
        cursor.execute(_MERGE)
        stored = {record[0] for record in cursor.fetchall()}
        conflicting: set[uuid.UUID] = set()
        if len(stored) < len(rows):
            cursor.execute(_CONFLICTS)
            conflicting = {record[0] for record in cursor.fetchall()}
    ids = {row.id for row in rows}
    return StoreOutcome(stored, ids - stored - conflicting, conflicting)


def _store_portable(session: Session, rows: Sequence[EventRow]) -> StoreOutcome:
    # SQLite serialises writers (BEGIN IMMEDIATE), so reading what is there and then
    # inserting the rest cannot race with another upload.
    existing: dict[uuid.UUID, tuple[Any, ...]] = {}
    ids = [row.id for row in rows]
    columns = [getattr(TapEvent, column) for column in CONTENT]
    for start in range(0, len(ids), 500):
        found = session.execute(
            select(TapEvent.id, *columns).where(TapEvent.id.in_(ids[start : start + 500]))
        )
        # Enum columns come back as StrEnum members, which compare equal to their values.
        existing.update((record[0], tuple(record[1:])) for record in found)
    new = [row for row in rows if row.id not in existing]
    if new:
        session.execute(
            sqlite_insert(TapEvent).on_conflict_do_nothing(),
            [dict(zip(COLUMNS, row.values(), strict=True)) for row in new],
        )
    old = [row for row in rows if row.id in existing]
    conflicting = {row.id for row in old if existing[row.id] != row.content()}
    duplicates = {row.id for row in old} - conflicting
    return StoreOutcome({row.id for row in new}, duplicates, conflicting)
