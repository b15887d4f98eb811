"""The few DER encodings we build or read by hand (everything else goes through
``cryptography``): tag-length-value, OCTET STRING, INTEGER, OID, SEQUENCE, NULL.

The reader is strict: definite lengths only, minimal length encoding, no trailing bytes.
"""

from __future__ import annotations

from crypto.errors import MalformedInputError

TAG_INTEGER = 0x02
TAG_OCTET_STRING = 0x04
TAG_NULL = 0x05
TAG_OID = 0x06
TAG_SEQUENCE = 0x30

_MAX_LENGTH_OCTETS = 4
_LONG_FORM = 0x80  # a first length octet at or above this gives the count of length octets
_HIGH_TAG = 0x1F


def encode_length(length: int) -> bytes:
    if length < 0:
        raise ValueError("negative length")
    if length < _LONG_FORM:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + encode_length(len(value)) + value


def sequence(*items: bytes) -> bytes:
    return tlv(TAG_SEQUENCE, b"".join(items))


def octet_string(value: bytes) -> bytes:
    return tlv(TAG_OCTET_STRING, value)


def null() -> bytes:
    return tlv(TAG_NULL, b"")


def integer(value: int) -> bytes:
    """A DER INTEGER (two's complement, minimal)."""
    length = max(1, (value.bit_length() + 8) // 8)
    return tlv(TAG_INTEGER, value.to_bytes(length, "big", signed=True))


def oid(dotted: str) -> bytes:
    arcs = [int(part) for part in dotted.split(".")]
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] >= 40):  # noqa: PLR2004
        raise ValueError(f"not an OID: {dotted}")
    body = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        rest = arc
        chunk = [rest & 0x7F]
        rest >>= 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        body.extend(reversed(chunk))
    return tlv(TAG_OID, bytes(body))


def read_tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int]:
    """Read one TLV at ``offset``: (tag, value, offset after it). Strict DER lengths."""
    if offset + 2 > len(data):
        raise MalformedInputError("DER: truncated header")
    tag = data[offset]
    if tag & _HIGH_TAG == _HIGH_TAG:
        raise MalformedInputError("DER: multi-byte tags are not used here")
    first = data[offset + 1]
    position = offset + 2
    if first < _LONG_FORM:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > _MAX_LENGTH_OCTETS:
            raise MalformedInputError("DER: indefinite or oversized length")
        if position + count > len(data):
            raise MalformedInputError("DER: truncated length")
        raw = data[position : position + count]
        length = int.from_bytes(raw, "big")
        if raw[0] == 0 or length < _LONG_FORM:
            raise MalformedInputError("DER: non-minimal length")
        position += count
    end = position + length
    if end > len(data):
        raise MalformedInputError("DER: truncated value")
    return tag, data[position:end], end


def read_single(data: bytes, expected_tag: int) -> bytes:
    """The value of the one TLV ``data`` must consist of, with the expected tag."""
    tag, value, end = read_tlv(data)
    if tag != expected_tag:
        raise MalformedInputError(f"DER: expected tag {expected_tag:#04x}, found {tag:#04x}")
    if end != len(data):
        raise MalformedInputError("DER: trailing bytes")
    return value
