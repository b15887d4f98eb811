from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader_protocol.ids import (
    MAX_MILLISECONDS,
    is_uuid7,
    unix_millis,
    uuid7,
    uuid7_millis,
    uuid7_time,
)

# RFC 9562 appendix A.6: 2022-02-22 19:22:22.000 UTC (0x017F22E279B0), rand_a 0xCC3,
# rand_b 0x18C4DC0C0C07398F.
RFC_TIME = datetime(2022, 2, 22, 19, 22, 22, tzinfo=UTC)
RFC_UUID = uuid.UUID("017F22E2-79B0-7CC3-98C4-DC0C0C07398F")


def test_rfc_9562_test_vector() -> None:
    rand = ((0xCC3 << 68) | 0x18C4DC0C0C07398F).to_bytes(10, "big")
    assert unix_millis(RFC_TIME) == 0x017F22E279B0
    assert uuid7(unix_millis(RFC_TIME), rand) == RFC_UUID
    assert uuid7_time(RFC_UUID) == RFC_TIME
    assert is_uuid7(RFC_UUID)


@given(st.integers(0, MAX_MILLISECONDS), st.binary(min_size=10, max_size=10))
def test_version_variant_and_time_round_trip(now_ms: int, rand: bytes) -> None:
    value = uuid7(now_ms, rand)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert uuid7_millis(value) == now_ms


@given(
    st.integers(0, MAX_MILLISECONDS - 1),
    st.binary(min_size=10, max_size=10),
    st.binary(min_size=10, max_size=10),
)
def test_later_milliseconds_sort_later(now_ms: int, a: bytes, b: bytes) -> None:
    assert uuid7(now_ms, a) < uuid7(now_ms + 1, b)
    assert str(uuid7(now_ms, a)) < str(uuid7(now_ms + 1, b))  # as text too


def test_other_uuids_carry_no_time() -> None:
    with pytest.raises(ValueError, match="not a UUIDv7"):
        uuid7_millis(uuid.uuid4())


@pytest.mark.parametrize(
    ("now_ms", "rand"), [(-1, bytes(10)), (MAX_MILLISECONDS + 1, bytes(10)), (0, bytes(9))]
)
def test_out_of_range_inputs_are_refused(now_ms: int, rand: bytes) -> None:
    with pytest.raises(ValueError, match=r"fit the 48-bit|random bytes"):
        uuid7(now_ms, rand)


def test_unix_millis_truncates_and_needs_an_aware_time() -> None:
    hue = timezone(timedelta(hours=7))
    at = datetime(2026, 11, 24, 15, 0, 0, 999_999, tzinfo=hue)
    assert unix_millis(at) == unix_millis(datetime(2026, 11, 24, 8, 0, 0, 999_000, tzinfo=UTC))
    with pytest.raises(ValueError, match="naive"):
        unix_millis(datetime(2026, 11, 24))  # noqa: DTZ001 - the point of the test
