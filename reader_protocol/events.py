"""Tap events as a reader uploads them, and the service's answer to a batch.

Contract (docs/reader-protocol.md): a batch is accepted event by event. Each event is
stored at most once (its id is the key, re-sending is harmless); every event the
service does not store is listed in ``refused`` with its position in the batch and a
stable code, and the good events of the same batch are stored regardless, even when
another event does not match ``TapEventMessage`` at all. A reader deletes from its
outbox exactly the ids listed in ``stored`` or ``duplicates``; it keeps refused ones
for an operator to look at and never re-sends them automatically.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MAX_EVENTS_PER_BATCH = 1000
REASON_MAX_LENGTH = 64


class TapKind(enum.StrEnum):
    DOOR = "door"
    ATTENDANCE_IN = "attendance_in"
    ATTENDANCE_OUT = "attendance_out"
    ATTENDANCE = "attendance"  # direction inferred later from the day's taps
    COUNTER_SIGN_IN = "counter_sign_in"
    COUNTER_SIGN_OUT = "counter_sign_out"
    ISSUANCE = "issuance"


class Decision(enum.StrEnum):
    GRANTED = "granted"
    DENIED = "denied"


class TapEventMessage(BaseModel):
    """One decided tap. ``id`` is a UUIDv7 whose timestamp equals ``occurred_at``
    (milliseconds, reader clock); ``reader_seq`` is the reader's monotonic counter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    reader_seq: int = Field(ge=0)
    occurred_at: AwareDatetime
    card_id: uuid.UUID | None = None
    holder_id: uuid.UUID | None = None
    kind: TapKind
    decision: Decision
    reason: str = Field(min_length=1, max_length=REASON_MAX_LENGTH, pattern=r"^[a-z0-9_.-]+$")


class EventBatch(BaseModel):
    """What a reader POSTs. ``sent_at`` is the reader's clock when sending; the service
    compares it with its own to record the reader's clock offset."""

    model_config = ConfigDict(extra="forbid")

    sent_at: AwareDatetime
    events: list[TapEventMessage] = Field(max_length=MAX_EVENTS_PER_BATCH)


class RefusalCode(enum.StrEnum):
    INVALID_EVENT = "invalid_event"  # not a TapEventMessage (unknown kind, bad reason, ...)
    ID_TIME_MISMATCH = "id_time_mismatch"  # occurred_at differs from the UUIDv7 timestamp
    NOT_UUID7 = "not_uuid7"
    UNKNOWN_CARD = "unknown_card"
    UNKNOWN_HOLDER = "unknown_holder"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"  # same id stored with different content
    DUPLICATE_IN_BATCH = "duplicate_in_batch"


class RefusedEvent(BaseModel):
    """One refused event: ``index`` is its position in the batch (from 0); ``id`` is
    null only when the event carries no id that parses as a UUID."""

    index: int = Field(ge=0)
    id: uuid.UUID | None
    code: RefusalCode
    detail: str


class IngestResult(BaseModel):
    """The service's answer: every id of the batch appears in exactly one list."""

    stored: list[uuid.UUID]
    duplicates: list[uuid.UUID]
    refused: list[RefusedEvent]
    received_at: datetime
    clock_offset_ms: int
