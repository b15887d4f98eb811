"""Short-lived, signed, single-use QR tokens (the fallback when a card is not at hand).

A token is base64url (no padding) of 126 bytes:

=======  =====  ============================================================
offset   size   field
=======  =====  ============================================================
0        1      format version (1)
1        20     key id of the signing key
21       16     card id (UUID, big-endian)
37       8      issued at, Unix seconds, unsigned big-endian
45       1      lifetime in seconds, 1..60
46       16     nonce (random)
62       64     ECDSA P-256 / SHA-256 signature, r || s
=======  =====  ============================================================

The signature covers ``b"hue-ecard/qr-token\\x00"`` followed by bytes 0..61, so it can
never be mistaken for a signature over anything else. Verification checks form, key,
signature, lifetime and time, and only then asks ``consume_nonce`` (which must record
the nonce atomically and return False if it was already there), so a token whose
other checks fail never uses up a nonce.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric import ec

from crypto._encoding import b64url_decode, b64url_encode, require_aware
from crypto.errors import (
    IssuanceError,
    MalformedInputError,
    ProfileViolationError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenReplayedError,
    UnknownIssuerError,
)
from crypto.keys import KEY_ID_BYTES, der_signature, raw_signature, verify_signature
from crypto.signers import Signer

QR_VERSION = 1
MAX_LIFETIME = timedelta(seconds=60)
DEFAULT_LIFETIME = timedelta(seconds=30)
NONCE_BYTES = 16
_CONTEXT = b"hue-ecard/qr-token\x00"
_SIGNED_LENGTH = 1 + KEY_ID_BYTES + 16 + 8 + 1 + NONCE_BYTES
_TOKEN_LENGTH = _SIGNED_LENGTH + 64


@dataclass(frozen=True)
class VerifiedQrToken:
    card_id: UUID
    key_id: str
    issued_at: datetime
    expires_at: datetime
    nonce: bytes


def issue_qr_token(
    signer: Signer,
    *,
    card_id: UUID,
    now: datetime,
    lifetime: timedelta = DEFAULT_LIFETIME,
    random: Callable[[int], bytes] = secrets.token_bytes,
) -> str:
    seconds = int(lifetime.total_seconds())
    if lifetime != timedelta(seconds=seconds) or not 1 <= seconds <= MAX_LIFETIME.seconds:
        raise IssuanceError("a QR token lives a whole number of seconds, 1 to 60")
    nonce = random(NONCE_BYTES)
    if len(nonce) != NONCE_BYTES:
        raise ValueError(f"the random source must return {NONCE_BYTES} bytes")
    issued_at = int(require_aware(now).timestamp())
    signed = (
        bytes([QR_VERSION])
        + bytes.fromhex(signer.key_id)
        + card_id.bytes
        + issued_at.to_bytes(8, "big")
        + bytes([seconds])
        + nonce
    )
    signature = raw_signature(signer.sign(_CONTEXT + signed))
    return b64url_encode(signed + signature)


def verify_qr_token(
    unverified_token: str,
    *,
    keys: Mapping[str, ec.EllipticCurvePublicKey],
    now: datetime,
    consume_nonce: Callable[[bytes], bool],
    clock_skew: timedelta = timedelta(0),
) -> VerifiedQrToken:
    """Verify a token, then consume its nonce; raise on any failure (a replay included)."""
    now = require_aware(now)
    raw = b64url_decode(unverified_token)
    if len(raw) != _TOKEN_LENGTH:
        raise MalformedInputError(f"a QR token is {_TOKEN_LENGTH} bytes, not {len(raw)}")
    if raw[0] != QR_VERSION:
        raise ProfileViolationError("version", f"unsupported QR token version {raw[0]}")
    signed, signature = raw[:_SIGNED_LENGTH], raw[_SIGNED_LENGTH:]
    key_id = signed[1 : 1 + KEY_ID_BYTES].hex()
    public_key = keys.get(key_id)
    if public_key is None:
        raise UnknownIssuerError(key_id)
    verify_signature(public_key, der_signature(signature), _CONTEXT + signed)
    position = 1 + KEY_ID_BYTES
    card_id = UUID(bytes=signed[position : position + 16])
    issued = int.from_bytes(signed[position + 16 : position + 24], "big")
    seconds = signed[position + 24]
    nonce = signed[position + 25 :]
    if not 1 <= seconds <= MAX_LIFETIME.seconds:
        raise ProfileViolationError("lifetime", f"{seconds} s is outside 1..60")
    try:
        issued_at = datetime.fromtimestamp(issued, UTC)
    except (OverflowError, ValueError, OSError) as exc:
        raise MalformedInputError("issued-at out of range") from exc
    expires_at = issued_at + timedelta(seconds=seconds)
    if issued_at > now + clock_skew:
        raise TokenNotYetValidError(issued_at, now)
    if now >= expires_at + clock_skew:
        raise TokenExpiredError(expires_at, now)
    if not consume_nonce(nonce):
        raise TokenReplayedError(nonce)
    return VerifiedQrToken(card_id, key_id, issued_at, expires_at, nonce)
