"""The console's sign-in sessions (table ``ui_sessions``, migration 0011).

The browser holds an opaque random session id in an HttpOnly cookie; only its SHA-256
is stored, with an absolute expiry, the last time it was seen (for the idle timeout)
and the time it was revoked (sign-out). The table belongs to the console, so the
model lives here; it shares the service's declarative base so that one metadata
describes the whole schema.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid


class UiSession(Base):
    __tablename__ = "ui_sessions"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
