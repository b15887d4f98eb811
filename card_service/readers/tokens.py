"""Verifying a reader's own signed request token (reader_protocol.auth).

Only ES256, only the key enrolled for the reader named in ``kid``, only an active
reader, a lifetime of at most a minute, and each token id once. A failure says only
"not authenticated", with the service's time so a reader whose clock drifted can
correct itself.

"Once" holds even when the request fails: the token id is recorded in a short
transaction of its own, committed before the request's work starts, so rolling the
request back cannot make its token usable again.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from card_service.db.engine import Database
from card_service.readers.errors import ReaderNotAuthenticatedError
from card_service.readers.models import Reader, ReaderState, ReaderTokenUse
from reader_protocol import auth as spec

CLOCK_SKEW = timedelta(minutes=5)
_REQUIRED = ["exp", "iat", "iss", "aud", "sub", "jti"]


def _refuse(now: datetime, why: str) -> ReaderNotAuthenticatedError:
    return ReaderNotAuthenticatedError(
        f"reader token refused: {why}",
        server_time=now.isoformat(),
        headers={"WWW-Authenticate": 'Bearer realm="ecard-reader"'},
    )


def authenticate_reader(database: Database, unverified_token: str, *, now: datetime) -> uuid.UUID:
    """The id of the active reader that signed ``unverified_token``, its token id now
    recorded as used (committed); ReaderNotAuthenticatedError else.

    Call it before the request's own session runs a statement: on SQLite that session's
    transaction would hold the one write lock (BEGIN IMMEDIATE), and this one would wait
    for it until busy_timeout and fail. Load the reader afterwards with ``active_reader``.
    """
    with database.transaction() as session:
        return _verify(session, unverified_token, now=now).id


def active_reader(session: Session, reader_id: uuid.UUID, *, now: datetime) -> Reader:
    """``reader_id`` in the caller's session, refused if it stopped being active since."""
    reader = session.get(Reader, reader_id)
    if reader is None or reader.state is not ReaderState.ACTIVE:
        raise _refuse(now, "unknown or inactive reader")
    return reader


def _verify(session: Session, unverified_token: str, *, now: datetime) -> Reader:
    if len(unverified_token) > spec.MAX_TOKEN_BYTES:
        raise _refuse(now, "too large")
    try:
        header = jwt.get_unverified_header(unverified_token)
        reader_id = uuid.UUID(str(header.get("kid", "")))
    except (jwt.PyJWTError, ValueError) as exc:
        raise _refuse(now, "malformed") from exc
    if header.get("alg") != spec.ALGORITHM:
        raise _refuse(now, "algorithm")
    if not _meant_for_readers(unverified_token):
        # Not a reader token (e.g. a user's, tried by /verify): no database work for it.
        raise _refuse(now, "audience")
    reader = session.get(Reader, reader_id)
    if reader is None or reader.state is not ReaderState.ACTIVE or not reader.public_key_pem:
        raise _refuse(now, "unknown or inactive reader")
    key = serialization.load_pem_public_key(reader.public_key_pem.encode())
    if not isinstance(key, ec.EllipticCurvePublicKey):  # pragma: no cover - enforced on enrol
        raise _refuse(now, "key type")
    try:
        claims = jwt.decode(
            unverified_token,
            key,
            algorithms=[spec.ALGORITHM],
            audience=spec.READER_AUDIENCE,
            issuer=spec.issuer_for(str(reader_id)),
            options={
                "require": _REQUIRED,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        issued_at = datetime.fromtimestamp(int(claims["iat"]), tz=now.tzinfo)
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo)
        jti = str(claims["jti"])
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as exc:
        raise _refuse(now, "signature or claims") from exc
    if claims.get("sub") != str(reader_id):
        raise _refuse(now, "subject")
    if expires_at - issued_at > timedelta(seconds=spec.MAX_LIFETIME_SECONDS):
        raise _refuse(now, "lifetime too long")
    if now > expires_at + CLOCK_SKEW or now + CLOCK_SKEW < issued_at:
        raise _refuse(now, "expired or issued in the future (check the reader's clock)")
    _use_once(session, reader_id, jti, expires_at + CLOCK_SKEW, now)
    return reader


def _meant_for_readers(unverified_token: str) -> bool:
    """A cheap look at the unverified audience; the signed claims are checked later."""
    try:
        audience = jwt.decode(unverified_token, options={"verify_signature": False}).get("aud")
    except jwt.PyJWTError:
        return False
    if isinstance(audience, list):
        return spec.READER_AUDIENCE in audience
    return bool(audience == spec.READER_AUDIENCE)


def _use_once(
    session: Session, reader_id: uuid.UUID, jti: str, keep_until: datetime, now: datetime
) -> None:
    """Record the token id in ``session`` (the short transaction of authenticate_reader):
    a second use fails the primary key. On PostgreSQL a concurrent second use waits for
    the first one's commit and then fails too."""
    digest = hashlib.sha256(f"{reader_id}:{jti}".encode()).hexdigest()
    session.add(ReaderTokenUse(jti=digest, reader_id=reader_id, expires_at=keep_until))
    try:
        session.flush()
    except IntegrityError as exc:
        raise _refuse(now, "token already used") from exc


def purge_token_uses(session: Session, *, now: datetime) -> int:
    """Forget token ids whose tokens can no longer be presented."""
    result = session.execute(delete(ReaderTokenUse).where(ReaderTokenUse.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)
