"""The PostgreSQL ingest: one COPY, one statement, and answers as positions.

The events are COPYed (binary) into a session-local staging table with their position
in the batch. One statement then joins them to ``cards`` and ``holders`` (unknown
ones refused, a missing holder taken from the card), inserts the rest with ``ON
CONFLICT DO NOTHING`` and returns only the positions that were *not* simply stored, so
a fresh batch answers with no rows at all: no thousand UUIDs to parse back, no
per-event lookups in Python. Only when some ids were already stored does a second
query tell duplicates from conflicting duplicates.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from card_service.attendance.compute import applied_offset
from card_service.attendance.rollup import invalidate_taps_sql
from card_service.events.rows import NotStored, StagedEvent, StoreOutcome, Upload

STAGING = "tap_events_staged"
# StagedEvent's fields, in order, with their PostgreSQL types for binary COPY.
STAGED_COLUMNS = StagedEvent._fields
STAGED_TYPES = ("int4", "uuid", "timestamptz", "int8", "uuid", "uuid", "text", "text", "text")

_CREATE_STAGING = f"""
CREATE TEMP TABLE IF NOT EXISTS {STAGING} (
    n integer NOT NULL, id uuid NOT NULL, occurred_at timestamptz NOT NULL,
    reader_seq bigint NOT NULL, card_id uuid, holder_id uuid, kind text NOT NULL,
    decision text NOT NULL, reason text NOT NULL
) ON COMMIT DELETE ROWS
"""
_COPY = f"COPY {STAGING} ({', '.join(STAGED_COLUMNS)}) FROM STDIN (FORMAT BINARY)"

# Refusals are checked in the documented order: unknown card, then unknown holder.
_MERGE = f"""
WITH incoming AS MATERIALIZED (
    SELECT s.n, s.id, s.occurred_at, s.reader_seq, s.card_id, s.kind, s.decision, s.reason,
           COALESCE(s.holder_id, c.holder_id) AS holder_id,
           s.holder_id IS NULL AND c.holder_id IS NOT NULL AS holder_from_card,
           CASE WHEN s.card_id IS NOT NULL AND c.id IS NULL THEN '{NotStored.UNKNOWN_CARD}'
                WHEN s.holder_id IS NOT NULL AND h.id IS NULL THEN '{NotStored.UNKNOWN_HOLDER}'
           END AS refusal
    FROM {STAGING} s
    LEFT JOIN cards c ON c.id = s.card_id
    LEFT JOIN holders h ON h.id = s.holder_id
), inserted AS (
    INSERT INTO tap_events (id, occurred_at, reader_id, reader_seq, card_id, holder_id, kind,
                            decision, reason, received_at, clock_offset_ms)
    SELECT id, occurred_at, %(reader_id)s, reader_seq, card_id, holder_id, kind, decision,
           reason, %(received_at)s, %(clock_offset_ms)s
    FROM incoming WHERE refusal IS NULL
    ON CONFLICT (id, occurred_at) DO NOTHING
    RETURNING id
)
SELECT i.n,
       COALESCE(i.refusal, CASE WHEN x.id IS NULL THEN '{NotStored.DUPLICATE}' END),
       CASE WHEN i.holder_from_card THEN i.holder_id END
FROM incoming i LEFT JOIN inserted x ON x.id = i.id
WHERE i.refusal IS NOT NULL OR x.id IS NULL OR i.holder_from_card
"""  # noqa: S608 - constant names only; values are parameters

_CONFLICTING = f"""
SELECT s.n FROM {STAGING} s
JOIN tap_events t ON t.id = s.id AND t.occurred_at = s.occurred_at
LEFT JOIN cards c ON c.id = s.card_id
WHERE s.n = ANY(%(positions)s)
  AND (t.reader_id, t.reader_seq, t.card_id, t.holder_id, t.kind, t.decision, t.reason)
      IS DISTINCT FROM (CAST(%(reader_id)s AS uuid), s.reader_seq, s.card_id,
                        COALESCE(s.holder_id, c.holder_id), s.kind, s.decision, s.reason)
"""  # noqa: S608 - constant names only; values are parameters


# The rows just stored, as the roll-up invalidation reads taps (holder filled from the card).
_STORED_TAPS = f"""(
    SELECT COALESCE(s.holder_id, c.holder_id) AS holder_id, s.occurred_at, s.kind, s.decision
    FROM {STAGING} s LEFT JOIN cards c ON c.id = s.card_id
    WHERE s.n <> ALL(%(not_stored)s)
)"""  # noqa: S608 - a constant name
_INVALIDATE = invalidate_taps_sql(_STORED_TAPS)


def store_postgresql(
    session: Session, events: Sequence[StagedEvent], upload: Upload
) -> StoreOutcome:
    raw = session.connection().connection.driver_connection
    assert raw is not None  # noqa: S101 - a live connection always has its DBAPI object
    parameters: dict[str, Any] = {
        "reader_id": upload.reader_id,
        "received_at": upload.received_at,
        "clock_offset_ms": upload.clock_offset_ms,
    }
    not_stored: dict[int, NotStored] = {}
    holder_from_card: dict[int, uuid.UUID] = {}
    with raw.cursor() as cursor:
        cursor.execute(_CREATE_STAGING)
        # ON COMMIT empties it; this is for a second upload in the same transaction.
        cursor.execute(f"DELETE FROM {STAGING}")  # noqa: S608 - a constant name
        with cursor.copy(_COPY) as copy:
            copy.set_types(STAGED_TYPES)
            for event in events:
                copy.write_row(event)
        cursor.execute(_MERGE, parameters)
        for n, status, holder_id in cursor.fetchall():
            if status is not None:
                not_stored[n] = NotStored(status)
            if holder_id is not None:
                holder_from_card[n] = holder_id
        already = [n for n, status in not_stored.items() if status is NotStored.DUPLICATE]
        if already:
            cursor.execute(_CONFLICTING, {**parameters, "positions": already})
            for (n,) in cursor.fetchall():
                not_stored[n] = NotStored.CONFLICTING_DUPLICATE
    return StoreOutcome(not_stored, holder_from_card)


def invalidate_stored_postgresql(session: Session, outcome: StoreOutcome, upload: Upload) -> None:
    """Forget the roll-ups the taps just stored may change, straight from the staging
    table: one statement after the insert (whose foreign-key checks have by then waited
    for any computation of the same people, see ``rollup.recompute``)."""
    session.connection().exec_driver_sql(
        _INVALIDATE,
        {
            "applied_offset": applied_offset(upload.clock_offset_ms),
            "not_stored": list(outcome.not_stored),
        },
    )
