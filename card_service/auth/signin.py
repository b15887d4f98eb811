"""Checking a username and password, with per-account lock-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.auth.errors import AccountLockedError, SignInFailedError
from card_service.errors import CardServiceError
from card_service.users.models import User
from card_service.users.passwords import hash_password, needs_rehash, password_matches

# Verified against when the username is unknown, so a wrong username costs the same
# time as a wrong password and timing does not reveal which accounts exist.
_DUMMY_HASH = hash_password("an unguessable placeholder password")


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int
    lockout: timedelta


@dataclass(frozen=True)
class SignInOutcome:
    """Either a user or the error to report. Failures are returned, not raised, so the
    request still commits the failure count that drives the lock-out."""

    user: User | None
    error: CardServiceError | None


def authenticate(
    session: Session, username: str, password: str, *, now: datetime, policy: LockoutPolicy
) -> SignInOutcome:
    user = session.scalar(
        select(User).where(User.username == username.strip().lower()).with_for_update()
    )
    if user is None or not user.active:
        password_matches(_DUMMY_HASH, password)
        return SignInOutcome(None, SignInFailedError("wrong username or password"))
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60))
        return SignInOutcome(
            None,
            AccountLockedError(
                f"too many failed sign-ins; try again in about {minutes} minute(s)",
                locked_until=user.locked_until.isoformat(),
            ),
        )
    if not password_matches(user.password_hash, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= policy.max_failures:
            user.locked_until = now + policy.lockout
            user.failed_sign_ins = 0
        return SignInOutcome(None, SignInFailedError("wrong username or password"))
    user.failed_sign_ins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return SignInOutcome(user, None)
