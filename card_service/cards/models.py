"""Cards issued to holders, and the record of every change of state."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, text
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
    __table_args__ = (
        # At most one active card per holder per technology, enforced by the database
        # itself so that no race between two transitions can break it.
        Index(
            "uq_cards_one_active_per_holder",
            "holder_id",
            "technology",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
    )

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
    certificate_der: Mapped[bytes | None] = mapped_column(LargeBinary)
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID, ForeignKey("cards.id", ondelete="RESTRICT")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative hook


class TransitionReason(enum.StrEnum):
    """Why a card changed state; revocation reasons map to RFC 5280 CRL reason codes."""

    REQUESTED = "requested"
    ISSUANCE_STARTED = "issuance_started"
    ISSUED = "issued"
    ISSUANCE_CANCELLED = "issuance_cancelled"
    LOST = "lost"
    STOLEN = "stolen"
    DAMAGED = "damaged"
    HOLDER_LEFT = "holder_left"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    ADMINISTRATIVE = "administrative"
    EXPIRED = "expired"


class CardTransition(Base):
    """Who moved which card from what state to what, when and why. Append-only."""

    __tablename__ = "card_transitions"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    card_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("cards.id", ondelete="RESTRICT"), index=True
    )
    from_state: Mapped[CardState | None] = mapped_column(
        str_enum(CardState, name="card_transition_from")
    )
    to_state: Mapped[CardState] = mapped_column(str_enum(CardState, name="card_transition_to"))
    reason: Mapped[TransitionReason] = mapped_column(
        str_enum(TransitionReason, name="card_transition_reason")
    )
    comment: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(255))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
