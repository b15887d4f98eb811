"""Registered readers."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid, str_enum, utcnow
from reader_protocol.enrolment import ReaderMode


class ReaderState(enum.StrEnum):
    PENDING = "pending"  # created, enrolment token handed out, no key yet
    ACTIVE = "active"
    DEREGISTERED = "deregistered"


class Reader(Base):
    __tablename__ = "readers"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))
    site_unit_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    location: Mapped[str] = mapped_column(String(255))  # the door or counter it serves
    mode: Mapped[ReaderMode] = mapped_column(str_enum(ReaderMode, name="reader_mode"))
    public_key_pem: Mapped[str | None] = mapped_column(Text)
    state: Mapped[ReaderState] = mapped_column(str_enum(ReaderState, name="reader_state"))
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative hook
