"""What the ingest hands to storage, and what storage answers, on either database."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

# The columns that make up an event's content; received_at and clock_offset_ms belong
# to one upload and naturally differ between a first upload and a re-send.
CONTENT = ("reader_id", "reader_seq", "card_id", "holder_id", "kind", "decision", "reason")


class StagedEvent(NamedTuple):
    """A valid event ready to store; ``n`` is its position in the uploaded batch.
    A plain tuple, so the PostgreSQL path can COPY it as it is."""

    n: int
    id: uuid.UUID
    occurred_at: datetime
    reader_seq: int
    card_id: uuid.UUID | None
    holder_id: uuid.UUID | None
    kind: str
    decision: str
    reason: str


@dataclass(frozen=True)
class Upload:
    """What every event of one upload shares."""

    reader_id: uuid.UUID
    received_at: datetime
    clock_offset_ms: int


class NotStored(enum.StrEnum):
    """Why storage did not store an event now (the refusals' values are RefusalCodes)."""

    DUPLICATE = "duplicate"  # already stored with the same content
    CONFLICTING_DUPLICATE = "conflicting_duplicate"
    UNKNOWN_CARD = "unknown_card"
    UNKNOWN_HOLDER = "unknown_holder"


@dataclass(frozen=True)
class StoreOutcome:
    """By position: the events not stored now (every other one was), and the holder
    taken from the card for events that named a card but no holder."""

    not_stored: dict[int, NotStored]
    holder_from_card: dict[int, uuid.UUID]

    def holder_of(self, event: StagedEvent) -> uuid.UUID | None:
        return event.holder_id or self.holder_from_card.get(event.n)
