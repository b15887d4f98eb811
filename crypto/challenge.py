"""Challenge-response with a PIV card-authentication key (PKI-CAK, NIST SP 800-116 r1).

``begin()`` makes a fresh 32-byte challenge and the state the caller keeps (in memory
at a reader; in its store at the service). The reader sends the challenge in GENERAL
AUTHENTICATE to key 9E; a PIV card with a P-256 key signs the 32 bytes *as the
SHA-256 digest* (it does not hash them again) and returns a DER ECDSA signature.
``complete()`` verifies exactly that, or raises ChallengeMismatchError.

A state is good for one answer: drop it after ``complete()``, whatever the outcome.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec

from crypto._encoding import require_aware
from crypto.errors import ChallengeExpiredError, ChallengeMismatchError
from crypto.keys import ECDSA_PREHASHED_SHA256

CHALLENGE_BYTES = 32
DEFAULT_TTL = timedelta(seconds=10)


@dataclass(frozen=True)
class ChallengeState:
    """What the verifier keeps between ``begin()`` and ``complete()``."""

    challenge: bytes
    issued_at: datetime
    expires_at: datetime

    def __repr__(self) -> str:  # the challenge is not secret, but keep logs short
        return f"ChallengeState(issued_at={self.issued_at.isoformat()})"


def begin(
    *,
    now: datetime,
    random: Callable[[int], bytes] = secrets.token_bytes,
    ttl: timedelta = DEFAULT_TTL,
) -> tuple[bytes, ChallengeState]:
    """A fresh challenge to send to the card, and the state to keep for ``complete()``."""
    now = require_aware(now)
    challenge = random(CHALLENGE_BYTES)
    if len(challenge) != CHALLENGE_BYTES:
        raise ValueError(f"the random source must return {CHALLENGE_BYTES} bytes")
    return challenge, ChallengeState(challenge, now, now + ttl)


def complete(
    state: ChallengeState,
    unverified_signature: bytes,
    card_public_key: ec.EllipticCurvePublicKey,
    *,
    now: datetime,
    unverified_challenge: bytes | None = None,
) -> None:
    """Verify the card's signature over the state's challenge, or raise.

    ``unverified_challenge`` is the challenge the answer claims to answer, when the
    transport echoes it; it must equal ours (compared in constant time).
    """
    now = require_aware(now)
    if now > state.expires_at:
        raise ChallengeExpiredError(state.expires_at, now)
    if unverified_challenge is not None and not hmac.compare_digest(
        unverified_challenge, state.challenge
    ):
        raise ChallengeMismatchError("the answer is for another challenge")
    try:
        card_public_key.verify(unverified_signature, state.challenge, ECDSA_PREHASHED_SHA256)
    except InvalidSignature as exc:
        raise ChallengeMismatchError("the card's signature does not verify") from exc
