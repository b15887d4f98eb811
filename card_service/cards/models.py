"""Cards issued to holders."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid, str_enum, utcnow


class CardTechnology(enum.StrEnum):
    PIV = "piv"  # PIV-compatible smart card, PKI-CAK on every tap
    QR = "qr"  # short-lived signed QR token shown on a phone (fallback)


class CardState(enum.StrEnum):
    REQUESTED = "requested"
    PERSONALISING = "personalising"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Card(Base):
    __tablename__ = "cards"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    holder_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("holders.id", ondelete="RESTRICT"), index=True
    )
    technology: Mapped[CardTechnology] = mapped_column(
        str_enum(CardTechnology, name="card_technology")
    )
    state: Mapped[CardState] = mapped_column(str_enum(CardState, name="card_state"), index=True)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issuer_key_id: Mapped[str | None] = mapped_column(String(64))
    certificate_serial: Mapped[str | None] = mapped_column(String(64), unique=True)
    certificate_fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID, ForeignKey("cards.id", ondelete="RESTRICT")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative hook
