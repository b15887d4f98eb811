"""Rotating, revocable refresh tokens (opaque; only their SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from card_service.audit.service import record as audit
from card_service.auth.errors import InvalidTokenError
from card_service.auth.models import RefreshToken
from card_service.users.models import User

_TOKEN_BYTES = 32
MAX_REFRESH_TOKEN_LENGTH = 128
# Whoever presents a used token may be the thief or the owner: the audit names neither.
REUSE_AUDIT_ACTOR = "system:refresh"


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def issue_refresh_token(
    session: Session,
    user: User,
    *,
    now: datetime,
    lifetime: timedelta,
    family_id: uuid.UUID | None = None,
) -> str:
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or uuid.uuid4(),
            token_hash=_digest(token),
            issued_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def rotate_refresh_token(
    session: Session, presented: str, *, now: datetime, lifetime: timedelta
) -> tuple[User, str]:
    """Exchange a refresh token for a new one. A reused token revokes its whole family.

    Returns the user and the new token. Raises InvalidTokenError for anything else;
    the caller must still commit, so that a detected reuse stays revoked.
    """
    record = _find(session, presented)
    if record is None or record.revoked_at is not None or now >= record.expires_at:
        raise InvalidTokenError("refresh token is not valid")
    if record.used_at is not None:
        revoked = revoke_family(session, record.family_id, now=now)
        owner = session.get(User, record.user_id)
        audit(
            session,
            actor=REUSE_AUDIT_ACTOR,
            action="auth.refresh_token_reused",
            object_type="user",
            object_id=record.user_id,
            data={
                "username": owner.username if owner is not None else None,
                "family_id": str(record.family_id),
                "token_id": str(record.id),
                "first_used_at": record.used_at.isoformat(),
                "tokens_revoked": revoked,
            },
            now=now,
        )
        raise InvalidTokenError("refresh token was already used; the sign-in has been revoked")
    user = session.get(User, record.user_id)
    if user is None or not user.active:
        raise InvalidTokenError("refresh token is not valid")
    record.used_at = now
    new_token = issue_refresh_token(
        session, user, now=now, lifetime=lifetime, family_id=record.family_id
    )
    return user, new_token


def revoke_presented(session: Session, presented: str, *, now: datetime) -> bool:
    """Sign out: revoke the family of a presented token. False if it is unknown."""
    record = _find(session, presented)
    if record is None:
        return False
    revoke_family(session, record.family_id, now=now)
    return True


def revoke_family(session: Session, family_id: uuid.UUID, *, now: datetime) -> int:
    """Revoke every live token of a sign-in; returns how many were still live."""
    result = session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def revoke_all_for_user(
    session: Session, user_id: uuid.UUID, *, now: datetime, keep_family: uuid.UUID | None = None
) -> int:
    """Sign a person out of every API sign-in (but ``keep_family``, the one changing
    its password); returns how many tokens were still live."""
    query = update(RefreshToken).where(
        RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
    )
    if keep_family is not None:
        query = query.where(RefreshToken.family_id != keep_family)
    result = session.execute(query.values(revoked_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]


def live_family_of(
    session: Session, presented: str, user_id: uuid.UUID, *, now: datetime
) -> uuid.UUID | None:
    """The sign-in a presented refresh token belongs to, when it is a live token of
    ``user_id`` (unused, unrevoked, unexpired); None for anything else."""
    record = _find(session, presented)
    if (
        record is None
        or record.user_id != user_id
        or record.used_at is not None
        or record.revoked_at is not None
        or now >= record.expires_at
    ):
        return None
    return record.family_id


def _find(session: Session, presented: str) -> RefreshToken | None:
    if not presented or len(presented) > MAX_REFRESH_TOKEN_LENGTH:
        return None
    return session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _digest(presented)).with_for_update()
    )
