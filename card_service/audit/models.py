"""Audit entries. Each row's hash covers its canonical content and the previous hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    # Assigned by the chain (previous seq + 1), never by the database.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(255), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[uuid.UUID | None] = mapped_column(UUID, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
