"""Event ingest: a reader's batch in, each event stored once, a precise answer out.

Contract (docs/event-ingest.md): every event of the batch has exactly one outcome: its
id in ``stored`` or ``duplicates``, or its position in ``refused``. A refused event
(malformed, or failing a rule) never stops the good ones of the same batch.
Re-sending a batch, whole or in part, stores nothing twice. Each stored event carries
the receive time and the reader's clock offset measured from the batch's ``sent_at``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from card_service.attendance.compute import service_time
from card_service.events.errors import ReaderNotActiveError
from card_service.events.rows import NotStored, StagedEvent, StoreOutcome, Upload
from card_service.events.schemas import IncomingEventBatch
from card_service.events.store import invalidate_attendance, store_events
from card_service.events.validation import validate_events
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
MILLISECOND = timedelta(milliseconds=1)
_GRANTED = Decision.GRANTED.value
_COUNTER_KINDS = frozenset((TapKind.COUNTER_SIGN_IN.value, TapKind.COUNTER_SIGN_OUT.value))
_DETAILS = {
    NotStored.CONFLICTING_DUPLICATE: "this id is already stored with different content",
    NotStored.UNKNOWN_CARD: "unknown card id",
    NotStored.UNKNOWN_HOLDER: "unknown holder id",
}


def uuid7_millis(event_id: uuid.UUID) -> int:
    """The Unix time in milliseconds embedded in a UUIDv7 (its top 48 bits)."""
    return event_id.int >> 80


def uuid7_time(event_id: uuid.UUID) -> datetime:
    return EPOCH + timedelta(milliseconds=uuid7_millis(event_id))


def clock_offset_ms(sent_at: datetime, *, now: datetime) -> int:
    """How far ahead of the service's clock the reader's clock is (negative: behind)."""
    return round((sent_at - now) / MILLISECOND)


def ingest_upload(
    session: Session, reader: Reader, upload: IncomingEventBatch, *, now: datetime
) -> IngestResult:
    """Store what a reader POSTed: each event validated on its own, the invalid ones
    refused (``invalid_event``) with the rules' refusals. Flushes; the caller commits."""
    _require_active(reader)
    events, invalid = validate_events(upload.events)
    return _ingest(session, reader, events, invalid, sent_at=upload.sent_at, now=now)


def ingest_batch(
    session: Session, reader: Reader, batch: EventBatch, *, now: datetime
) -> IngestResult:
    """Store a batch whose events are already validated. Flushes; the caller commits."""
    _require_active(reader)
    return _ingest(session, reader, batch.events, [], sent_at=batch.sent_at, now=now)


def _require_active(reader: Reader) -> None:
    if reader.state is not ReaderState.ACTIVE:
        raise ReaderNotActiveError(f"reader {reader.id} is {reader.state.value}")


def _ingest(
    session: Session,
    reader: Reader,
    events: Sequence[TapEventMessage | None],
    refused: list[RefusedEvent],
    *,
    sent_at: datetime,
    now: datetime,
) -> IngestResult:
    offset = clock_offset_ms(sent_at, now=now)
    staged = _stage(events, refused)
    upload = Upload(reader.id, now, offset)
    outcome = store_events(session, staged, upload)
    stored: list[StagedEvent] = []
    duplicates: list[uuid.UUID] = []
    for event in staged:
        status = outcome.not_stored.get(event.n)
        if status is None:
            stored.append(event)
        elif status is NotStored.DUPLICATE:
            duplicates.append(event.id)
        else:
            refused.append(_refusal(event.n, event.id, RefusalCode(status), _DETAILS[status]))
    invalidate_attendance(session, stored, outcome, upload)
    _counter_taps(session, reader, stored, outcome, offset)
    return IngestResult(
        stored=[event.id for event in stored],
        duplicates=duplicates,
        refused=sorted(refused, key=lambda refusal: refusal.index),
        received_at=now,
        clock_offset_ms=offset,
    )


def _stage(
    events: Sequence[TapEventMessage | None], refused: list[RefusedEvent]
) -> list[StagedEvent]:
    """The events to store, in batch order, after the checks that need no database:
    one copy per id, a UUIDv7 id whose time is ``occurred_at``."""
    staged = []
    for n, event in _single_copies(events, refused):
        if event.id.version != UUID_VERSION_7:
            refused.append(_refusal(n, event.id, RefusalCode.NOT_UUID7, "id is not a UUIDv7"))
            continue
        occurred_at = uuid7_time(event.id)
        # Truncated to the millisecond, as the id's time is (ADR 0001).
        if not occurred_at <= event.occurred_at < occurred_at + MILLISECOND:
            refused.append(
                _refusal(
                    n,
                    event.id,
                    RefusalCode.ID_TIME_MISMATCH,
                    "occurred_at differs from the time embedded in the id",
                )
            )
            continue
        staged.append(
            StagedEvent(
                n,
                event.id,
                # The id's own millisecond time, so (id, occurred_at) is a function of id.
                occurred_at,
                event.reader_seq,
                event.card_id,
                event.holder_id,
                event.kind.value,
                event.decision.value,
                event.reason,
            )
        )
    return staged


def _single_copies(
    events: Sequence[TapEventMessage | None], refused: list[RefusedEvent]
) -> list[tuple[int, TapEventMessage]]:
    """Identical copies of an event in one batch count once (at the first position);
    different events sharing an id are all refused (the reader has a bug; storing
    either would be a guess)."""
    present = [(n, event) for n, event in enumerate(events) if event is not None]
    if len({event.id for _, event in present}) == len(present):
        return present  # the usual batch: nothing to compare
    by_id: dict[uuid.UUID, list[tuple[int, TapEventMessage]]] = {}
    for n, event in present:
        by_id.setdefault(event.id, []).append((n, event))
    result = []
    for event_id, copies in by_id.items():
        first = copies[0][1]
        if all(copy == first for _, copy in copies):
            result.append(copies[0])
            continue
        detail = f"{len(copies)} different events in this batch share this id"
        refused.extend(
            _refusal(n, event_id, RefusalCode.DUPLICATE_IN_BATCH, detail) for n, _ in copies
        )
    result.sort(key=lambda pair: pair[0])
    return result


def _refusal(n: int, event_id: uuid.UUID, code: RefusalCode, detail: str) -> RefusedEvent:
    return RefusedEvent(index=n, id=event_id, code=code, detail=detail)


def _counter_taps(
    session: Session,
    reader: Reader,
    stored: Iterable[StagedEvent],
    outcome: StoreOutcome,
    offset: int,
) -> None:
    """Staff cards tapped at a counter reader sign them in and out of that counter."""
    if reader.mode is not ReaderMode.COUNTER:
        return
    taps = []
    for event in stored:
        holder_id = outcome.holder_of(event)
        if holder_id is not None and event.decision == _GRANTED and event.kind in _COUNTER_KINDS:
            signs_in = event.kind == TapKind.COUNTER_SIGN_IN
            taps.append((service_time(event.occurred_at, offset), holder_id, signs_in))
    if not taps:
        return
    counter = session.get(OrgUnit, reader.site_unit_id)
    if counter is not None and counter.kind is UnitKind.COUNTER:
        apply_counter_taps(session, counter, taps)
