"""What the auth dependencies need at run time, built once per app from the Settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from card_service.auth.keys import load_or_create_signing_key
from card_service.auth.signin import LockoutPolicy
from card_service.auth.throttle import AttemptLimiter
from card_service.auth.tokens import AccessTokens, TokenPolicy
from card_service.settings import Settings


@dataclass(frozen=True)
class AuthContext:
    tokens: AccessTokens
    refresh_lifetime: timedelta
    lockout: LockoutPolicy
    limiter: AttemptLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthContext:
        """Named factory: reads (or creates) the signing key file."""
        key = load_or_create_signing_key(settings.effective_jwt_signing_key_file)
        policy = TokenPolicy(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithm=settings.jwt_algorithm,
            lifetime=timedelta(minutes=settings.access_token_minutes),
            leeway=timedelta(seconds=settings.jwt_leeway_seconds),
        )
        return cls(
            tokens=AccessTokens(signing_key=key, policy=policy),
            refresh_lifetime=timedelta(days=settings.refresh_token_days),
            lockout=LockoutPolicy(
                max_failures=settings.sign_in_max_failures,
                lockout=timedelta(minutes=settings.sign_in_lockout_minutes),
            ),
            limiter=AttemptLimiter(limit=settings.sign_in_attempts_per_minute),
        )
