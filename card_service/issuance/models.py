"""Issuance sessions and the one-time nonces they hand out."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid, str_enum


class NoncePurpose(enum.StrEnum):
    POSSESSION = "possession"  # the card signs it with its freshly generated key
    ACTIVATION = "activation"  # the written card signs it with the certified key


class IssuanceNonce(Base):
    __tablename__ = "issuance_nonces"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    session_id: Mapped[uuid.UUID] = mapped_column(UUID, index=True)
    card_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("cards.id"), index=True)
    reader_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("readers.id"))
    purpose: Mapped[NoncePurpose] = mapped_column(str_enum(NoncePurpose, name="nonce_purpose"))
    nonce: Mapped[bytes] = mapped_column(LargeBinary(32))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
