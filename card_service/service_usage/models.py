"""Tables of service usage at public-service centres."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, false
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
    """One service given at a counter.

    Nothing here identifies the citizen: ``citizen_ref`` is a keyed hash of the document
    number (card_service.service_usage.citizen_ref), so repeat visits can be counted
    and nothing more. The verdict columns say how the counter verified the chip ID
    card (all None when no chip was read); ``legal_basis`` and ``consent_given_at`` why
    the data could be processed. The retention job empties ``citizen_ref`` and
    ``verdict_reasons`` once the session is older than the retention period and sets
    ``citizen_data_purged_at``. Never a name, photo, birth date or number.
    """

    __tablename__ = "counter_sessions"
    __table_args__ = (
        Index("ix_counter_sessions_centre_started", "centre_unit_id", "started_at"),
        # The retention job looks for sessions not yet purged, oldest first.
        Index("ix_counter_sessions_unpurged", "citizen_data_purged_at", "started_at"),
    )

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
    # reader_protocol.counter values (DocumentType, ChipAuth, LegalBasis, VerdictReason),
    # checked at the API; plain strings here so a new value needs no table rebuild.
    document_type: Mapped[str | None] = mapped_column(String(16))
    verdict_pa_ok: Mapped[bool | None] = mapped_column(Boolean)
    verdict_chip_auth: Mapped[str | None] = mapped_column(String(16))
    verdict_not_expired: Mapped[bool | None] = mapped_column(Boolean)
    verdict_accepted: Mapped[bool | None] = mapped_column(Boolean)
    verdict_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    manual_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    legal_basis: Mapped[str | None] = mapped_column(String(32))
    consent_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    citizen_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
