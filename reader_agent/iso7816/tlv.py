"""BER-TLV as ISO 7816-4 uses it (multi-byte tags, definite lengths up to 4 bytes).

Parsing is strict: anything truncated, indefinite or over-long raises
MalformedResponseError, because every byte parsed here came from a card.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from reader_agent.errors import MalformedResponseError

_MAX_LENGTH_OCTETS = 4
_CONSTRUCTED_BIT = 0x20
_TAG_MORE_BYTES = 0x1F
_TAG_CONTINUES = 0x80
_LONG_LENGTH = 0x80
_MAX_TAG_BYTES = 4


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        return bool(_first_tag_byte(self.tag) & _CONSTRUCTED_BIT)

    def children(self) -> list[Tlv]:
        """The TLVs inside a constructed object."""
        return parse_all(self.value)

    def encode(self) -> bytes:
        return encode_tlv(self.tag, self.value)


def _first_tag_byte(tag: int) -> int:
    size = max(1, (tag.bit_length() + 7) // 8)
    return tag >> (8 * (size - 1))


def encode_tag(tag: int) -> bytes:
    if tag < 0:
        raise ValueError("negative tag")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_length(length: int) -> bytes:
    if length < 0:
        raise ValueError("negative length")
    if length < _LONG_LENGTH:
        return bytes((length,))
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    if len(octets) > _MAX_LENGTH_OCTETS:
        raise ValueError("length too large")
    return bytes((_LONG_LENGTH | len(octets),)) + octets


def encode_tlv(tag: int, value: bytes) -> bytes:
    return encode_tag(tag) + encode_length(len(value)) + value


def _read_tag(data: bytes, offset: int) -> tuple[int, int]:
    if offset >= len(data):
        raise MalformedResponseError("TLV truncated before its tag")
    first = data[offset]
    tag = first
    offset += 1
    if first & _TAG_MORE_BYTES == _TAG_MORE_BYTES:
        count = 1
        while True:
            if offset >= len(data):
                raise MalformedResponseError("TLV tag truncated")
            byte = data[offset]
            tag = (tag << 8) | byte
            offset += 1
            count += 1
            if not byte & _TAG_CONTINUES:
                break
            if count >= _MAX_TAG_BYTES:
                raise MalformedResponseError("TLV tag longer than 4 bytes")
    return tag, offset


def _read_length(data: bytes, offset: int) -> tuple[int, int]:
    if offset >= len(data):
        raise MalformedResponseError("TLV truncated before its length")
    first = data[offset]
    offset += 1
    if first < _LONG_LENGTH:
        return first, offset
    count = first & 0x7F
    if count == 0:
        raise MalformedResponseError("indefinite TLV length is not allowed")
    if count > _MAX_LENGTH_OCTETS:
        raise MalformedResponseError(f"TLV length of {count} octets is not supported")
    if offset + count > len(data):
        raise MalformedResponseError("TLV length truncated")
    return int.from_bytes(data[offset : offset + count], "big"), offset + count


def iter_tlv(data: bytes) -> Iterator[Tlv]:
    """Yield each top-level TLV in ``data``; raise on any malformation."""
    offset = 0
    while offset < len(data):
        tag, offset = _read_tag(data, offset)
        length, offset = _read_length(data, offset)
        end = offset + length
        if end > len(data):
            raise MalformedResponseError(
                f"TLV {tag:X} claims {length} bytes but only {len(data) - offset} remain"
            )
        yield Tlv(tag, bytes(data[offset:end]))
        offset = end


def parse_all(data: bytes) -> list[Tlv]:
    return list(iter_tlv(data))


def parse_one(data: bytes, *, expected_tag: int | None = None) -> Tlv:
    """Exactly one TLV spanning all of ``data`` (optionally with a given tag)."""
    items = parse_all(data)
    if len(items) != 1:
        raise MalformedResponseError(f"expected one TLV, found {len(items)}")
    item = items[0]
    if expected_tag is not None and item.tag != expected_tag:
        raise MalformedResponseError(f"expected tag {expected_tag:X}, found {item.tag:X}")
    return item


def find(data: bytes | list[Tlv], tag: int) -> Tlv | None:
    """The first top-level TLV with ``tag``, or None."""
    items = parse_all(data) if isinstance(data, bytes) else data
    return next((item for item in items if item.tag == tag), None)


def require(data: bytes | list[Tlv], tag: int) -> Tlv:
    item = find(data, tag)
    if item is None:
        raise MalformedResponseError(f"required TLV {tag:X} is missing")
    return item
