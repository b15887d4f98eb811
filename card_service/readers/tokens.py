"""Verifying a reader's own signed request token (reader_protocol.auth).

Only ES256, only the key enrolled for the reader named in ``kid``, only an active
reader, a lifetime of at most a minute, and each token id once. A failure says only
"not authenticated", with the service's time so a reader whose clock drifted can
correct itself.
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


def authenticate_reader(session: Session, unverified_token: str, *, now: datetime) -> Reader:
    """The active reader that signed ``unverified_token``; ReaderNotAuthenticatedError else."""
    if len(unverified_token) > spec.MAX_TOKEN_BYTES:
        raise _refuse(now, "too large")
    try:
        header = jwt.get_unverified_header(unverified_token)
        reader_id = uuid.UUID(str(header.get("kid", "")))
    except (jwt.PyJWTError, ValueError) as exc:
        raise _refuse(now, "malformed") from exc
    if header.get("alg") != spec.ALGORITHM:
        raise _refuse(now, "algorithm")
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


def _use_once(
    session: Session, reader_id: uuid.UUID, jti: str, keep_until: datetime, now: datetime
) -> None:
    digest = hashlib.sha256(f"{reader_id}:{jti}".encode()).hexdigest()
    try:
        with session.begin_nested():  # a replay fails only this savepoint
            session.add(ReaderTokenUse(jti=digest, reader_id=reader_id, expires_at=keep_until))
    except IntegrityError as exc:
        raise _refuse(now, "token already used") from exc


def purge_token_uses(session: Session, *, now: datetime) -> int:
    """Forget token ids whose tokens can no longer be presented."""
    result = session.execute(delete(ReaderTokenUse).where(ReaderTokenUse.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)
