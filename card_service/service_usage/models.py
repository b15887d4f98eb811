"""Tables of service usage at public-service centres."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid, utcnow


class ServiceType(Base):
    """One entry of the catalogue of administrative procedures a centre handles."""

    __tablename__ = "service_catalogue"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CounterSignIn(Base):
    """A staff member signed in at a counter with their own card."""

    __tablename__ = "counter_sign_ins"
    __table_args__ = (
        Index("ix_counter_sign_ins_counter_open", "counter_unit_id", "signed_out_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    counter_unit_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("org_units.id", ondelete="RESTRICT")
    )
    staff_holder_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("holders.id", ondelete="RESTRICT"), index=True
    )
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CounterSession(Base):
    """One service given at a counter. ``citizen_ref`` is a keyed hash computed at the
    counter (never a document number), so repeat visits can be counted and nothing more."""

    __tablename__ = "counter_sessions"
    __table_args__ = (Index("ix_counter_sessions_centre_started", "centre_unit_id", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    sign_in_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("counter_sign_ins.id", ondelete="RESTRICT"), index=True
    )
    centre_unit_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("org_units.id", ondelete="RESTRICT")
    )
    counter_unit_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("org_units.id", ondelete="RESTRICT")
    )
    staff_holder_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("holders.id", ondelete="RESTRICT")
    )
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("service_catalogue.id", ondelete="RESTRICT"), index=True
    )
    citizen_ref: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
