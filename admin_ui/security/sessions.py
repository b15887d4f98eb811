"""Opening, finding and closing console sessions (only the id's SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from admin_ui.security.session_table import UiSession

SESSION_COOKIE = "ecard_console"
# Before sign-in there is no session; this random value anchors the sign-in form's CSRF
# token, so that another site cannot sign a browser in to an account of its choosing.
PRESESSION_COOKIE = "ecard_console_pre"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=10)  # one working day at a counter
# last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
_TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 128


def new_secret() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def open_session(session: Session, *, user_id: uuid.UUID, display_name: str, now: datetime) -> str:
    """A new session for a user who just signed in; returns the id for the cookie."""
    token = new_secret()
    session.add(
        UiSession(
            token_hash=_digest(token),
            user_id=user_id,
            display_name=display_name,
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE_LIFETIME,
        )
    )
    session.flush()
    return token


def find_session(session: Session, token: str | None, *, now: datetime) -> UiSession | None:
    """The live session for a cookie value, or None (unknown, revoked, expired, idle)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = session.scalar(select(UiSession).where(UiSession.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        return None
    if now - row.last_seen_at > IDLE_TIMEOUT:
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
    return row


def close_session(session: Session, token: str | None, *, now: datetime) -> None:
    """Sign-out: the session id stops working at once, on every replica."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return
    session.execute(
        update(UiSession)
        .where(UiSession.token_hash == _digest(token), UiSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
