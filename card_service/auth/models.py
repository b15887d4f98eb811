"""Sign-in records: API refresh tokens (opaque, hashed, rotated on every use), the
browser sessions of the admin console (opaque, hashed, idle and absolute expiry) and the
failed-sign-in counters behind the lock-out."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
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


class SignInFailure(Base):
    """Failed sign-ins of one username, whether or not an account has that name.

    Keyed by the SHA-256 of the normalised username (what people type into the name
    field is sometimes their password, so it is not stored in clear). Counting every
    name the same way is what makes a locked account indistinguishable from a name
    that does not exist (docs/security.md). A row whose last failure is older than the
    observation window is forgotten.
    """

    __tablename__ = "sign_in_failures"

    name_digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
