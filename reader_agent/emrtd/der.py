"""The few DER values the chip's SecurityInfos and tokens carry: OIDs and INTEGERs.

Built on the strict BER-TLV parser; anything malformed raises LdsFormatError.
"""

from __future__ import annotations

from reader_agent.emrtd.errors import LdsFormatError
from reader_agent.iso7816.tlv import Tlv, encode_tlv

TAG_INTEGER = 0x02
TAG_BIT_STRING = 0x03
TAG_OCTET_STRING = 0x04
TAG_OID = 0x06
TAG_SEQUENCE = 0x30
TAG_SET = 0x31

_MAX_ARC_BYTES = 10


def decode_oid(value: bytes) -> str:
    if not value or value[-1] & 0x80:
        raise LdsFormatError("truncated object identifier")
    arcs: list[int] = []
    current = 0
    length = 0
    for byte in value:
        if length == 0 and byte == 0x80:  # noqa: PLR2004 - a leading 80 is not minimal
            raise LdsFormatError("non-minimal object identifier")
        current = (current << 7) | (byte & 0x7F)
        length += 1
        if length > _MAX_ARC_BYTES:
            raise LdsFormatError("object identifier arc too long")
        if not byte & 0x80:
            arcs.append(current)
            current = 0
            length = 0
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(arc) for arc in head + arcs[1:])


def encode_oid_value(dotted: str) -> bytes:
    arcs = [int(part) for part in dotted.split(".")]
    numbers = [40 * arcs[0] + arcs[1], *arcs[2:]]
    out = bytearray()
    for number in numbers:
        chunk = [number & 0x7F]
        rest = number >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


def encode_oid(dotted: str) -> bytes:
    return encode_tlv(TAG_OID, encode_oid_value(dotted))


def decode_integer(value: bytes) -> int:
    if not value:
        raise LdsFormatError("empty INTEGER")
    return int.from_bytes(value, "big", signed=True)


def encode_integer(number: int) -> bytes:
    length = max(1, (number.bit_length() + 8) // 8)
    return encode_tlv(TAG_INTEGER, number.to_bytes(length, "big", signed=True))


def expect(item: Tlv, tag: int, what: str) -> Tlv:
    if item.tag != tag:
        raise LdsFormatError(f"{what}: expected tag {tag:02X}, found {item.tag:X}")
    return item


def unsigned_bytes(number: int, length: int) -> bytes:
    return number.to_bytes(length, "big")
