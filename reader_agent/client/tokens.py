"""The reader's request tokens (reader_protocol.auth): ES256 JWTs signed with the
reader's own key, one per request, each with a fresh jti.

The reader's clock may drift. Tokens are stamped with the reader's clock corrected
by the last offset the service told us (``server_time`` in a 401 or a heartbeat
answer), so a drifted reader still authenticates; the events it records keep its own
clock, and the service measures that drift separately.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from reader_protocol import auth as spec

TOKEN_LIFETIME = timedelta(seconds=spec.MAX_LIFETIME_SECONDS)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ReaderTokenSigner:
    def __init__(
        self,
        reader_id: uuid.UUID,
        private_key: ec.EllipticCurvePrivateKey,
        *,
        clock: Callable[[], datetime] = _utc_now,
        random_token: Callable[[int], str] = secrets.token_urlsafe,
    ) -> None:
        self.reader_id = reader_id
        self._key = private_key
        self._clock = clock
        self._random_token = random_token
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    @property
    def offset(self) -> timedelta:
        """Service time minus reader time, as last observed."""
        with self._lock:
            return self._offset

    def observe_server_time(self, server_time: datetime, *, at: datetime | None = None) -> None:
        """Remember how far the service's clock is from ours (``at``: our clock then)."""
        local = at if at is not None else self._clock()
        with self._lock:
            self._offset = server_time - local

    def token(self) -> str:
        issued_at = self._clock() + self.offset
        claims = {
            "iss": spec.issuer_for(str(self.reader_id)),
            "sub": str(self.reader_id),
            "aud": spec.READER_AUDIENCE,
            "iat": int(issued_at.timestamp()),
            "exp": int((issued_at + TOKEN_LIFETIME).timestamp()),
            "jti": self._random_token(18),
        }
        return jwt.encode(
            claims,
            self._key,
            algorithm=spec.ALGORITHM,
            headers={"kid": str(self.reader_id), "typ": "JWT"},
        )
