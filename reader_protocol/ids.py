"""UUIDv7 event ids (RFC 9562 section 5.7), minted from the reader's clock.

48 bits of Unix time in milliseconds, the version (7), 12 random bits, the variant
(binary 10) and 62 more random bits. Ids sort by time, so a reader's events and the
service's tables stay in time order; the service checks that an event's
``occurred_at`` equals its id's time. Pure: the caller passes the time and the
random bytes, so tests are exact.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

RANDOM_BYTES = 10  # 80 random bits offered; 74 are used (12 rand_a + 62 rand_b)
MAX_MILLISECONDS = (1 << 48) - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_VERSION = 7
_VARIANT_RFC = 0b10
_RAND_A_BITS = 12
_RAND_B_BITS = 62
_RANDOM_BITS = 8 * RANDOM_BYTES


def uuid7(now_ms: int, rand: bytes) -> uuid.UUID:
    """The UUIDv7 for Unix time ``now_ms`` (milliseconds) and 10 random bytes."""
    if not 0 <= now_ms <= MAX_MILLISECONDS:
        raise ValueError(f"{now_ms} ms does not fit the 48-bit timestamp")
    if len(rand) != RANDOM_BYTES:
        raise ValueError(f"a UUIDv7 needs {RANDOM_BYTES} random bytes, got {len(rand)}")
    bits = int.from_bytes(rand, "big")
    rand_a = bits >> (_RANDOM_BITS - _RAND_A_BITS)
    rand_b = bits & ((1 << _RAND_B_BITS) - 1)
    value = (now_ms << 80) | (_VERSION << 76) | (rand_a << 64) | (_VARIANT_RFC << 62) | rand_b
    return uuid.UUID(int=value)


def is_uuid7(value: uuid.UUID) -> bool:
    return value.version == _VERSION and value.variant == uuid.RFC_4122


def uuid7_millis(value: uuid.UUID) -> int:
    """The Unix time in milliseconds a UUIDv7 carries; ValueError for other UUIDs."""
    if not is_uuid7(value):
        raise ValueError(f"{value} is not a UUIDv7")
    return value.int >> 80


def uuid7_time(value: uuid.UUID) -> datetime:
    """The aware UTC time a UUIDv7 carries (millisecond precision)."""
    return EPOCH + timedelta(milliseconds=uuid7_millis(value))


def unix_millis(at: datetime) -> int:
    """Milliseconds since the Unix epoch of an aware datetime (truncated, not rounded)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a naive datetime has no place on a time line")
    return (at - EPOCH) // timedelta(milliseconds=1)
