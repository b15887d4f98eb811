"""Registered readers, their one-time enrolment tokens, and the token ids they used."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
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
    # The last heartbeat's report (what the operations dashboard shows).
    queue_depth: Mapped[int | None] = mapped_column(Integer)
    clock_offset_ms: Mapped[int | None] = mapped_column(Integer)
    crl_numbers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    trust_bundle_sequence: Mapped[int | None] = mapped_column(Integer)
    config_version: Mapped[int | None] = mapped_column(Integer)
    failing_closed: Mapped[bool | None] = mapped_column(Boolean)
    agent_version: Mapped[str | None] = mapped_column(String(64))
    deregistered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative hook


class ReaderEnrolment(Base):
    """A one-time enrolment token (stored as its SHA-256), bound to the reader's site
    and mode, usable once before it expires."""

    __tablename__ = "reader_enrolments"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    reader_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("readers.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReaderTokenUse(Base):
    """Every reader token id (jti) seen, until its token has expired: a replay fails
    the primary key."""

    __tablename__ = "reader_token_uses"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    reader_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("readers.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
