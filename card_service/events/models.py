"""Tap events.

The primary key is (id, occurred_at) because PostgreSQL requires the partition key in
every unique constraint of a partitioned table. Event ids are UUIDv7 minted by the
reader and the ingest path requires ``occurred_at`` to equal the id's embedded
timestamp, so the id alone determines the row: the pair is unique exactly when the id
is (docs/adr/0001-event-partitioning.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, str_enum
from reader_protocol.events import Decision, TapKind


class TapEvent(Base):
    __tablename__ = "tap_events"
    __table_args__ = (
        Index("ix_tap_events_holder_occurred", "holder_id", "occurred_at"),
        Index("ix_tap_events_reader_seq", "reader_id", "reader_seq"),
        # The console's live feed asks every second for what arrived since its cursor.
        Index("ix_tap_events_received_at", "received_at"),
        {"postgresql_partition_by": "RANGE (occurred_at)"},
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    reader_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("readers.id", ondelete="RESTRICT")
    )
    reader_seq: Mapped[int] = mapped_column(BigInteger)
    card_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("cards.id"))
    holder_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("holders.id"))
    kind: Mapped[TapKind] = mapped_column(str_enum(TapKind, name="tap_kind"))
    decision: Mapped[Decision] = mapped_column(str_enum(Decision, name="tap_decision"))
    reason: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_offset_ms: Mapped[int] = mapped_column(Integer, default=0)
