from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.tlv import Tlv, encode_tlv, parse_all, parse_one, require

# Tags as BER allows them: one byte (low 5 bits not all set), or 0x?F followed by
# continuation bytes, the last with its high bit clear.
one_byte_tags = st.integers(0, 255).filter(lambda t: t & 0x1F != 0x1F)
two_byte_tags = st.builds(
    lambda a, b: (a << 8) | b, st.sampled_from([0x5F, 0x7F, 0x9F, 0xBF]), st.integers(0x01, 0x7F)
)
three_byte_tags = st.builds(lambda b: 0x5FC100 | b, st.integers(0x01, 0x7F))
tags = one_byte_tags | two_byte_tags | three_byte_tags


def test_known_piv_encodings() -> None:
    # SP 800-73-4 GET DATA for the CHUID: 5C 03 5F C1 02
    assert encode_tlv(0x5C, bytes.fromhex("5FC102")) == bytes.fromhex("5C035FC102")
    # Long-form lengths: 0x81 for 128-255, 0x82 for 256-65535.
    assert encode_tlv(0x53, bytes(200))[:3] == bytes.fromhex("5381C8")
    assert encode_tlv(0x53, bytes(1000))[:4] == bytes.fromhex("538203E8")
    parsed = parse_one(bytes.fromhex("7C0A8200810600112233AABB"), expected_tag=0x7C)
    assert parsed.constructed
    assert parsed.children() == [Tlv(0x82, b""), Tlv(0x81, bytes.fromhex("00112233AABB"))]


@given(st.lists(st.tuples(tags, st.binary(max_size=300)), max_size=5))
def test_encode_parse_round_trip(items: list[tuple[int, bytes]]) -> None:
    encoded = b"".join(encode_tlv(tag, value) for tag, value in items)
    assert [(t.tag, t.value) for t in parse_all(encoded)] == items


@pytest.mark.parametrize(
    "raw",
    [
        "5F",  # tag truncated
        "53",  # no length
        "5305AABB",  # value shorter than claimed
        "5380",  # indefinite length
        "5385FFFFFFFFFF",  # five length octets
        "5F8181818101",  # tag longer than four bytes
        "538201",  # length octets truncated
    ],
)
def test_malformed_tlv_is_refused(raw: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_all(bytes.fromhex(raw))


def test_require_names_the_missing_tag() -> None:
    with pytest.raises(MalformedResponseError, match="7C"):
        require(bytes.fromhex("5300"), 0x7C)


@given(st.binary(max_size=64))
def test_parsing_garbage_raises_only_malformed_response(raw: bytes) -> None:
    try:
        items = parse_all(raw)
    except MalformedResponseError:
        return
    # Whatever parsed is made of the input's own bytes, never more.
    assert sum(len(item.value) for item in items) <= len(raw)
    assert all(item.value in raw for item in items)
