"""Event ingest: a reader's batch in, each event stored once, a precise answer out.

Contract (docs/event-ingest.md): every id of the batch appears in exactly one of
``stored``, ``duplicates`` or ``refused``. A refused event never stops the good ones
of the same batch. Re-sending a batch, whole or in part, stores nothing twice. Each
stored event carries the receive time and the reader's clock offset measured from the
batch's ``sent_at``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.attendance.compute import service_time
from card_service.attendance.rollup import invalidate_taps
from card_service.attendance.sources import ATTENDANCE_KINDS
from card_service.cards.models import Card
from card_service.events.errors import ReaderNotActiveError
from card_service.events.sql import member_of
from card_service.events.store import EventRow, store_events
from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.readers.models import Reader, ReaderState
from card_service.service_usage.counters import apply_counter_taps
from reader_protocol.enrolment import ReaderMode
from reader_protocol.events import (
    Decision,
    EventBatch,
    IngestResult,
    RefusalCode,
    RefusedEvent,
    TapEventMessage,
    TapKind,
)

UUID_VERSION_7 = 7
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def uuid7_millis(event_id: uuid.UUID) -> int:
    """The Unix time in milliseconds embedded in a UUIDv7 (its top 48 bits)."""
    return event_id.int >> 80


def uuid7_time(event_id: uuid.UUID) -> datetime:
    return EPOCH + timedelta(milliseconds=uuid7_millis(event_id))


def clock_offset_ms(batch: EventBatch, *, now: datetime) -> int:
    """How far ahead of the service's clock the reader's clock is (negative: behind)."""
    return round((batch.sent_at - now) / timedelta(milliseconds=1))


def ingest_batch(
    session: Session, reader: Reader, batch: EventBatch, *, now: datetime
) -> IngestResult:
    """Store a reader's batch. Flushes; the caller's transaction commits."""
    if reader.state is not ReaderState.ACTIVE:
        raise ReaderNotActiveError(f"reader {reader.id} is {reader.state.value}")
    offset = clock_offset_ms(batch, now=now)
    refused: list[RefusedEvent] = []
    events = _single_copies(batch.events, refused)
    events = [event for event in events if _id_is_valid(event, refused)]
    rows = _resolve_references(session, events, refused, reader=reader, now=now, offset=offset)
    outcome = store_events(session, rows)
    refused.extend(
        RefusedEvent(
            id=row.id,
            code=RefusalCode.CONFLICTING_DUPLICATE,
            detail="an event with this id is already stored with different content",
        )
        for row in rows
        if row.id in outcome.conflicting
    )
    invalidate_taps(
        session,
        (
            (row.holder_id, service_time(row.occurred_at, offset))
            for row in rows
            if row.id in outcome.stored
            and row.holder_id is not None
            and row.decision == Decision.GRANTED
            and row.kind in ATTENDANCE_KINDS
        ),
    )
    _counter_taps(session, reader, [row for row in rows if row.id in outcome.stored], offset)
    order = {event.id: index for index, event in enumerate(batch.events)}
    return IngestResult(
        stored=sorted(outcome.stored, key=order.__getitem__),
        duplicates=sorted(outcome.duplicates, key=order.__getitem__),
        refused=sorted(refused, key=lambda refusal: order[refusal.id]),
        received_at=now,
        clock_offset_ms=offset,
    )


def _counter_taps(session: Session, reader: Reader, rows: list[EventRow], offset: int) -> None:
    """Staff cards tapped at a counter reader sign them in and out of that counter."""
    if reader.mode is not ReaderMode.COUNTER:
        return
    taps = [
        (service_time(row.occurred_at, offset), row.holder_id, row.kind == TapKind.COUNTER_SIGN_IN)
        for row in rows
        if row.holder_id is not None
        and row.decision == Decision.GRANTED
        and row.kind in (TapKind.COUNTER_SIGN_IN, TapKind.COUNTER_SIGN_OUT)
    ]
    counter = session.get(OrgUnit, reader.site_unit_id)
    if taps and counter is not None and counter.kind is UnitKind.COUNTER:
        apply_counter_taps(session, counter, taps)


def _single_copies(
    events: Sequence[TapEventMessage], refused: list[RefusedEvent]
) -> list[TapEventMessage]:
    """Identical copies of an event in one batch count once; different events sharing
    an id are all refused (the reader has a bug; storing either would be a guess)."""
    by_id: dict[uuid.UUID, list[TapEventMessage]] = {}
    for event in events:
        by_id.setdefault(event.id, []).append(event)
    result = []
    for event_id, copies in by_id.items():
        if all(copy == copies[0] for copy in copies):
            result.append(copies[0])
        else:
            refused.append(
                RefusedEvent(
                    id=event_id,
                    code=RefusalCode.DUPLICATE_IN_BATCH,
                    detail=f"{len(copies)} different events in this batch share this id",
                )
            )
    return result


def _id_is_valid(event: TapEventMessage, refused: list[RefusedEvent]) -> bool:
    if event.id.version != UUID_VERSION_7:
        refused.append(
            RefusedEvent(id=event.id, code=RefusalCode.NOT_UUID7, detail="id is not a UUIDv7")
        )
        return False
    claimed = (event.occurred_at - EPOCH) // timedelta(milliseconds=1)
    if claimed != uuid7_millis(event.id):
        refused.append(
            RefusedEvent(
                id=event.id,
                code=RefusalCode.ID_TIME_MISMATCH,
                detail="occurred_at differs from the time embedded in the id",
            )
        )
        return False
    return True


def _resolve_references(
    session: Session,
    events: Sequence[TapEventMessage],
    refused: list[RefusedEvent],
    *,
    reader: Reader,
    now: datetime,
    offset: int,
) -> list[EventRow]:
    """Refuse events naming unknown cards or holders; fill a missing holder from its card."""
    card_holders = _known_cards(session, {e.card_id for e in events if e.card_id is not None})
    holders = _known_holders(session, {e.holder_id for e in events if e.holder_id is not None})
    rows = []
    for event in events:
        if event.card_id is not None and event.card_id not in card_holders:
            refused.append(
                RefusedEvent(id=event.id, code=RefusalCode.UNKNOWN_CARD, detail="unknown card id")
            )
            continue
        if event.holder_id is not None and event.holder_id not in holders:
            refused.append(
                RefusedEvent(
                    id=event.id, code=RefusalCode.UNKNOWN_HOLDER, detail="unknown holder id"
                )
            )
            continue
        holder_id = event.holder_id
        if holder_id is None and event.card_id is not None:
            holder_id = card_holders[event.card_id]
        rows.append(
            EventRow(
                id=event.id,
                # The id's own millisecond time, so (id, occurred_at) is a function of id.
                occurred_at=uuid7_time(event.id),
                reader_id=reader.id,
                reader_seq=event.reader_seq,
                card_id=event.card_id,
                holder_id=holder_id,
                kind=event.kind.value,
                decision=event.decision.value,
                reason=event.reason,
                received_at=now,
                clock_offset_ms=offset,
            )
        )
    return rows


def _known_cards(session: Session, card_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
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
