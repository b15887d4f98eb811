"""Holders of cards."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid, str_enum, utcnow


class HolderKind(enum.StrEnum):
    STAFF = "staff"
    CITIZEN = "citizen"


class Holder(Base):
    """A person who holds (or will hold) a card.

    ``full_name`` is kept exactly as typed, NFC-normalised; ``name_folded`` is the same
    name without diacritics and case, kept only so that search can use an index.
    """

    __tablename__ = "holders"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    kind: Mapped[HolderKind] = mapped_column(str_enum(HolderKind, name="holder_kind"))
    staff_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    name_folded: Mapped[str] = mapped_column(String(255), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    photo_ref: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative hook
