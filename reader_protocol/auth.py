"""How a reader authenticates each request: a JWT it signs with its own enrolled key.

    header  {"alg": "ES256", "typ": "JWT", "kid": "<reader id>"}
    claims  {"iss": "reader:<reader id>", "sub": "<reader id>", "aud": READER_AUDIENCE,
             "iat": <now>, "exp": <now + at most MAX_LIFETIME>, "jti": "<random, single use>"}

sent as ``Authorization: Bearer <jwt>``. The service accepts only ES256, only the key
enrolled for that reader, only a deregistered-free reader, and each jti once.
"""

from __future__ import annotations

READER_AUDIENCE = "ecard-reader-api"
ALGORITHM = "ES256"
MAX_LIFETIME_SECONDS = 60
MAX_TOKEN_BYTES = 2048


def issuer_for(reader_id: str) -> str:
    return f"reader:{reader_id}"
