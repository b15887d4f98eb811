"""Checking a username and password, with lock-out after repeated failures.

Failures are counted per *username*, in ``sign_in_failures``, whether or not an active
account has that name: an unknown name, a disabled account and a real one fail, lock
and answer identically (same codes, same texts, argon2 work on the same attempts), so
neither the answers nor their timing tell which accounts exist (docs/security.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.auth.errors import AccountLockedError, SignInFailedError
from card_service.auth.models import SignInFailure
from card_service.errors import CardServiceError
from card_service.users.models import User
from card_service.users.passwords import hash_password, needs_rehash, password_matches

# Verified against when the username is unknown, so a wrong username costs the same
# time as a wrong password and timing does not reveal which accounts exist.
_DUMMY_HASH = hash_password("an unguessable placeholder password")
# Failures older than this (counted from the last one) are forgotten, for every name.
OBSERVATION_WINDOW = timedelta(hours=24)
AUDIT_ACTOR = "system:sign-in"


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


def normalise_username(username: str) -> str:
    return username.strip().lower()


def name_digest(username: str) -> bytes:
    """The key of a username's failure counter (never the name itself: see the model)."""
    return hashlib.sha256(normalise_username(username).encode("utf-8", "replace")).digest()


def authenticate(
    session: Session, username: str, password: str, *, now: datetime, policy: LockoutPolicy
) -> SignInOutcome:
    digest = name_digest(username)
    counter = session.get(SignInFailure, digest, with_for_update=True)
    if counter is not None and counter.locked_until is not None and counter.locked_until > now:
        return SignInOutcome(None, _locked(counter.locked_until, now))
    user = session.scalar(
        select(User).where(User.username == normalise_username(username)).with_for_update()
    )
    if user is None or not user.active:
        password_matches(_DUMMY_HASH, password)
        return SignInOutcome(None, _failed(session, digest, user, now=now, policy=policy))
    if not password_matches(user.password_hash, password):
        return SignInOutcome(None, _failed(session, digest, user, now=now, policy=policy))
    if counter is not None:
        session.delete(counter)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return SignInOutcome(user, None)


def reauthenticate(
    session: Session, user: User, password: str, *, now: datetime, policy: LockoutPolicy
) -> CardServiceError | None:
    """Check the password of someone already signed in (a password change) under the
    same lock-out as sign-in: a wrong one counts against the name, a locked name is
    refused even with the right one, so a stolen session guesses no faster than a
    stranger at the sign-in page. Returns the error to report (and commit), or None."""
    digest = name_digest(user.username)
    counter = session.get(SignInFailure, digest, with_for_update=True)
    if counter is not None and counter.locked_until is not None and counter.locked_until > now:
        return _locked(counter.locked_until, now)
    if not password_matches(user.password_hash, password):
        return _failed(session, digest, user, now=now, policy=policy)
    if counter is not None:
        session.delete(counter)
    session.flush()
    return None


def clear_failures(session: Session, username: str) -> None:
    """Forget a name's failures and lift its lock-out (an administrator's password reset)."""
    session.execute(delete(SignInFailure).where(SignInFailure.name_digest == name_digest(username)))


def purge_stale_failures(session: Session, *, now: datetime) -> int:
    """Forget the counters whose last failure is older than the observation window and
    that are not locked now (run by housekeeping: most names never come back)."""
    result = session.execute(
        delete(SignInFailure).where(
            SignInFailure.last_failed_at < now - OBSERVATION_WINDOW,
            or_(SignInFailure.locked_until.is_(None), SignInFailure.locked_until <= now),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def locked_until(session: Session, username: str, *, now: datetime) -> datetime | None:
    """When a name's lock-out ends, or None when it is not locked."""
    counter = session.get(SignInFailure, name_digest(username))
    if counter is None or counter.locked_until is None or counter.locked_until <= now:
        return None
    return counter.locked_until


def _locked(until: datetime, now: datetime) -> AccountLockedError:
    minutes = max(1, int((until - now).total_seconds() // 60))
    return AccountLockedError(
        f"too many failed sign-ins; try again in about {minutes} minute(s)",
        locked_until=until.isoformat(),
    )


def _failed(
    session: Session,
    digest: bytes,
    user: User | None,
    *,
    now: datetime,
    policy: LockoutPolicy,
) -> CardServiceError:
    """Count one failure of ``digest``; lock the name when it reaches the limit.

    Every name is counted and answered the same way. Only a real account's lock-out is
    written to the audit log (an unknown name may be a mistyped password)."""
    # Also this name's own stale row, so its count starts again at one.
    purge_stale_failures(session, now=now)
    failures = _count_failure(session, digest, now=now)
    if failures < policy.max_failures:
        return SignInFailedError("wrong username or password")
    counter = session.get(SignInFailure, digest)
    assert counter is not None  # noqa: S101 - just written under this transaction's lock
    counter.locked_until = now + policy.lockout
    counter.failures = 0
    session.flush()
    if user is not None:
        record(
            session,
            actor=AUDIT_ACTOR,
            action="user.locked_out",
            object_type="user",
            object_id=user.id,
            data={
                "username": user.username,
                "failures": policy.max_failures,
                "locked_until": counter.locked_until.isoformat(),
                "account_active": user.active,
            },
            now=now,
        )
    # The attempt that locks the name is still answered as a wrong password; the next
    # one hears of the lock-out, for every name alike.
    return SignInFailedError("wrong username or password")


def _count_failure(session: Session, digest: bytes, *, now: datetime) -> int:
    """Add one failure in one statement (concurrent first failures of a name must not
    collide on the primary key). Returns the count, including this one."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SignInFailure).values(
        name_digest=digest, failures=1, last_failed_at=now, locked_until=None
    )
    statement = statement.on_conflict_do_update(
        index_elements=[SignInFailure.name_digest],
        set_={"failures": SignInFailure.failures + 1, "last_failed_at": now},
    )
    session.execute(statement)
    counter = session.get(SignInFailure, digest, populate_existing=True)
    return counter.failures if counter is not None else 1
