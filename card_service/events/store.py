"""Writing valid tap events, once each, after checking the cards and holders they name.

Both paths answer the same question for a list of events (``rows.StoreOutcome``):
which were stored now, which were already stored with the same content (duplicates)
or with different content (conflicting duplicates), and which name an unknown card or
holder; an event naming a card but no holder takes the card's holder. PostgreSQL does
all of it in the database after one COPY (``store_postgresql.py``); SQLite, whose
writers are serialised, reads and compares in Python here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from card_service.attendance.compute import service_time
from card_service.attendance.rollup import invalidate_taps
from card_service.attendance.sources import ATTENDANCE_KINDS
from card_service.cards.models import Card
from card_service.events.models import TapEvent
from card_service.events.rows import CONTENT, NotStored, StagedEvent, StoreOutcome, Upload
from card_service.events.sql import is_postgresql, member_of
from card_service.events.store_postgresql import invalidate_stored_postgresql, store_postgresql
from card_service.holders.models import Holder
from reader_protocol.events import Decision

CHUNK = 500  # ids per IN list on SQLite
_GRANTED = Decision.GRANTED.value
_ATTENDANCE_KINDS = frozenset(kind.value for kind in ATTENDANCE_KINDS)


def store_events(session: Session, events: Sequence[StagedEvent], upload: Upload) -> StoreOutcome:
    """Store ``events`` (distinct ids, each valid). Flushes; the caller commits."""
    if not events:
        return StoreOutcome({}, {})
    if is_postgresql(session):
        return store_postgresql(session, events, upload)
    return _store_portable(session, events, upload)


def invalidate_attendance(
    session: Session, stored: Sequence[StagedEvent], outcome: StoreOutcome, upload: Upload
) -> None:
    """Forget the attendance roll-ups that the ``stored`` events (granted attendance
    taps) may change: their day and the day before (``rollup.invalidate_taps``)."""
    taps = [e for e in stored if e.decision == _GRANTED and e.kind in _ATTENDANCE_KINDS]
    if not taps:
        return
    if is_postgresql(session):
        invalidate_stored_postgresql(session, outcome, upload)
        return
    keys = (
        (holder_id, service_time(event.occurred_at, upload.clock_offset_ms))
        for event in taps
        if (holder_id := outcome.holder_of(event)) is not None
    )
    invalidate_taps(session, keys)


def _store_portable(
    session: Session, events: Sequence[StagedEvent], upload: Upload
) -> StoreOutcome:
    # SQLite serialises writers (BEGIN IMMEDIATE), so reading what is there and then
    # inserting the rest cannot race with another upload.
    not_stored: dict[int, NotStored] = {}
    holder_from_card: dict[int, uuid.UUID] = {}
    card_holders = _card_holders(session, {e.card_id for e in events if e.card_id is not None})
    holders = _known_holders(session, {e.holder_id for e in events if e.holder_id is not None})
    rows: dict[int, dict[str, Any]] = {}
    for event in events:
        if event.card_id is not None and event.card_id not in card_holders:
            not_stored[event.n] = NotStored.UNKNOWN_CARD
            continue
        if event.holder_id is not None and event.holder_id not in holders:
            not_stored[event.n] = NotStored.UNKNOWN_HOLDER
            continue
        holder_id = event.holder_id
        if holder_id is None and event.card_id is not None:
            holder_id = card_holders[event.card_id]
            holder_from_card[event.n] = holder_id
        rows[event.n] = {
            "id": event.id,
            "occurred_at": event.occurred_at,
            "reader_id": upload.reader_id,
            "reader_seq": event.reader_seq,
            "card_id": event.card_id,
            "holder_id": holder_id,
            "kind": event.kind,
            "decision": event.decision,
            "reason": event.reason,
            "received_at": upload.received_at,
            "clock_offset_ms": upload.clock_offset_ms,
        }
    existing = _stored_content(session, [row["id"] for row in rows.values()])
    new = [row for row in rows.values() if row["id"] not in existing]
    if new:
        session.execute(sqlite_insert(TapEvent).on_conflict_do_nothing(), new)
    for n, row in rows.items():
        stored = existing.get(row["id"])
        if stored is not None:
            same = stored == tuple(row[column] for column in CONTENT)
            not_stored[n] = NotStored.DUPLICATE if same else NotStored.CONFLICTING_DUPLICATE
    return StoreOutcome(not_stored, holder_from_card)


def _stored_content(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[Any, ...]]:
    existing: dict[uuid.UUID, tuple[Any, ...]] = {}
    columns = [getattr(TapEvent, column) for column in CONTENT]
    for start in range(0, len(ids), CHUNK):
        found = session.execute(
            select(TapEvent.id, *columns).where(TapEvent.id.in_(ids[start : start + CHUNK]))
        )
        # Enum columns come back as StrEnum members, which compare equal to their values.
        existing.update((record[0], tuple(record[1:])) for record in found)
    return existing


def _card_holders(session: Session, card_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    if not card_ids:
        return {}
    rows = session.execute(
        select(Card.id, Card.holder_id).where(member_of(session, Card.id, card_ids))
    )
    return {card_id: holder_id for card_id, holder_id in rows}  # noqa: C416 - rows are Row objects


def _known_holders(session: Session, holder_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    if not holder_ids:
        return set()
    return set(session.scalars(select(Holder.id).where(member_of(session, Holder.id, holder_ids))))
