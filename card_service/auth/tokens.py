"""Short-lived access tokens: JWTs signed by the service with ES256, algorithm pinned.

Verification requires exp, iat, iss, aud, sub and jti, accepts only the pinned
algorithm and only keys we know by ``kid``, and refuses oversized tokens before
parsing them. Any failure is one ``InvalidTokenError`` (401) without detail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from card_service.auth.errors import InvalidTokenError
from card_service.auth.keys import public_key_id

MAX_TOKEN_BYTES = 4096
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti"]


@dataclass(frozen=True)
class TokenPolicy:
    issuer: str
    audience: str
    algorithm: str
    lifetime: timedelta
    leeway: timedelta


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    token_id: str
    issued_at: datetime
    expires_at: datetime


class AccessTokens:
    """Issues and verifies access tokens. Holds keys; does no I/O."""

    def __init__(
        self,
        *,
        signing_key: ec.EllipticCurvePrivateKey,
        policy: TokenPolicy,
        extra_verification_keys: tuple[ec.EllipticCurvePublicKey, ...] = (),
    ) -> None:
        self._signing_key = signing_key
        self._signing_kid = public_key_id(signing_key.public_key())
        self._policy = policy
        # Keys retired from signing stay valid for verification until their tokens expire.
        self._verification_keys = {
            public_key_id(key): key for key in (signing_key.public_key(), *extra_verification_keys)
        }

    @property
    def policy(self) -> TokenPolicy:
        return self._policy

    def issue(self, user_id: uuid.UUID, *, now: datetime) -> tuple[str, datetime]:
        expires_at = now + self._policy.lifetime
        claims = {
            "iss": self._policy.issuer,
            "aud": self._policy.audience,
            "sub": str(user_id),
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(
            claims,
            self._signing_key,
            algorithm=self._policy.algorithm,
            headers={"kid": self._signing_kid},
        )
        return token, expires_at

    def verify(self, unverified_token: str, *, now: datetime) -> AccessClaims:
        if len(unverified_token) > MAX_TOKEN_BYTES:
            raise InvalidTokenError
        try:
            header = jwt.get_unverified_header(unverified_token)
            key = self._verification_keys.get(str(header.get("kid", "")))
            if key is None or header.get("alg") != self._policy.algorithm:
                raise InvalidTokenError
            claims = jwt.decode(
                unverified_token,
                key,
                algorithms=[self._policy.algorithm],
                audience=self._policy.audience,
                issuer=self._policy.issuer,
                leeway=self._policy.leeway,
                options={
                    "require": REQUIRED_CLAIMS,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise InvalidTokenError from exc
        return _check_times(claims, now=now, leeway=self._policy.leeway)


def _check_times(claims: dict[str, object], *, now: datetime, leeway: timedelta) -> AccessClaims:
    # Times are checked against the injected ``now`` (PyJWT would read the system clock).
    try:
        issued_at = datetime.fromtimestamp(int(str(claims["iat"])), tz=now.tzinfo)
        expires_at = datetime.fromtimestamp(int(str(claims["exp"])), tz=now.tzinfo)
        not_before = datetime.fromtimestamp(
            int(str(claims.get("nbf", claims["iat"]))), tz=now.tzinfo
        )
        user_id = uuid.UUID(str(claims["sub"]))
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidTokenError from exc
    if now > expires_at + leeway or now + leeway < not_before or now + leeway < issued_at:
        raise InvalidTokenError
    return AccessClaims(
        user_id=user_id, token_id=str(claims["jti"]), issued_at=issued_at, expires_at=expires_at
    )
