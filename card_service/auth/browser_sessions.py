"""Browser sessions of the admin console: create, look up, revoke.

The browser keeps an opaque random id (32 bytes, URL-safe) in a cookie; the database
keeps only its SHA-256, so neither a database copy nor a log of it signs anyone in.
A session is live until its absolute expiry, an idle gap longer than ``idle_timeout``,
or its revocation. Cookies, CSRF and pages are the console's business; these functions
only keep the records, and like every service function they flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from card_service.auth.models import BrowserSession

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=10)  # one working day at a counter
# last_seen_at is written at most this often: a page of htmx polls must not turn every
# request into a write.
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 128  # longer cookie values are refused before hashing
_TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh opaque secret (also what the console uses for its pre-sign-in cookie)."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def _lookup_key(token: str | None) -> bytes | None:
    """The stored hash for a presented cookie value; None for a missing or oversized one
    (never hashed, never looked up)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return _digest(token)


def create_browser_session(
    session: Session,
    *,
    user_id: uuid.UUID,
    display_name: str,
    now: datetime,
    lifetime: timedelta = ABSOLUTE_LIFETIME,
) -> str:
    """Open a session for a user who has just signed in; returns the token for the cookie
    (the only time it exists in clear)."""
    token = new_token()
    session.add(
        BrowserSession(
            token_hash=_digest(token),
            user_id=user_id,
            display_name=display_name,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def find_browser_session(
    session: Session,
    token: str | None,
    *,
    now: datetime,
    idle_timeout: timedelta = IDLE_TIMEOUT,
) -> BrowserSession | None:
    """The live session for a cookie value, or None when it is unknown, revoked, past its
    expiry or idle too long. A live session's ``last_seen_at`` moves to ``now`` when it is
    at least TOUCH_INTERVAL old, which keeps an active person signed in."""
    key = _lookup_key(token)
    if key is None:
        return None
    row = session.scalar(select(BrowserSession).where(BrowserSession.token_hash == key))
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        return None
    if now - row.last_seen_at > idle_timeout:
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        session.flush()
    return row


def revoke_browser_session(session: Session, token: str | None, *, now: datetime) -> bool:
    """Sign-out: the token stops working at once, on every replica. False when it named
    no live session (unknown, or already revoked)."""
    key = _lookup_key(token)
    if key is None:
        return False
    result = session.execute(
        update(BrowserSession)
        .where(BrowserSession.token_hash == key, BrowserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_browser_sessions_of_user(
    session: Session, user_id: uuid.UUID, *, now: datetime, keep_token: str | None = None
) -> int:
    """Sign a person out of every browser (an account taken away, a password reset), or
    of every browser but the one holding ``keep_token`` (their own password change).
    Returns how many sessions were still open."""
    query = update(BrowserSession).where(
        BrowserSession.user_id == user_id, BrowserSession.revoked_at.is_(None)
    )
    key = _lookup_key(keep_token)
    if key is not None:
        query = query.where(BrowserSession.token_hash != key)
    result = session.execute(query.values(revoked_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]
