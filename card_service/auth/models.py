"""Sign-in records: API refresh tokens (opaque, hashed, rotated on every use) and the
browser sessions of the admin console (opaque, hashed, idle and absolute expiry)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid


class RefreshToken(Base):
    """One refresh token of a sign-in "family".

    Every refresh marks the presented token used and issues a successor in the same
    family. Presenting a used token again means it was stolen (or replayed): the
    whole family is revoked, signing out the thief and the owner alike.
    """

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(UUID, index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BrowserSession(Base):
    """A person signed in to the admin console in a browser.

    The browser holds an opaque random id in a cookie; only its SHA-256 is stored, so a
    copy of this table signs nobody in. The session ends at ``expires_at``, after an idle
    gap longer than the caller's timeout (``last_seen_at``), or at ``revoked_at``
    (sign-out, on every replica at once). The table keeps the name it was created with,
    ``ui_sessions`` (migration 0011), when the console owned it.
    """

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
