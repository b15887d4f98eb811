"""EF.COM: LDS version and the list of data groups present (tag 60)."""

from __future__ import annotations

from dataclasses import dataclass

from reader_agent.emrtd.errors import LdsFormatError
from reader_agent.emrtd.lds.common import children, outer, text
from reader_agent.iso7816.tlv import encode_tlv

# Data-group tags as EF.COM lists them (ICAO 9303-10 table 35).
DG_TAGS = {
    0x61: 1,
    0x75: 2,
    0x63: 3,
    0x76: 4,
    0x65: 5,
    0x66: 6,
    0x67: 7,
    0x68: 8,
    0x69: 9,
    0x6A: 10,
    0x6B: 11,
    0x6C: 12,
    0x6D: 13,
    0x6E: 14,
    0x6F: 15,
    0x70: 16,
}
TAG_BY_DG = {number: tag for tag, number in DG_TAGS.items()}
TAG_COM = 0x60
TAG_DG_LIST = 0x5C
TAG_LDS_VERSION = 0x5F01
TAG_UNICODE_VERSION = 0x5F36


@dataclass(frozen=True)
class Com:
    lds_version: str
    unicode_version: str
    data_groups: tuple[int, ...]


def parse_com(unverified: bytes) -> Com:
    items = {
        item.tag: item.value for item in children(outer(unverified, TAG_COM, "EF.COM"), "EF.COM")
    }
    if TAG_DG_LIST not in items:
        raise LdsFormatError("EF.COM lacks its data group list (5C)")
    groups: list[int] = []
    for tag in items[TAG_DG_LIST]:
        if tag not in DG_TAGS:
            raise LdsFormatError(f"EF.COM lists unknown data group tag {tag:02X}")
        groups.append(DG_TAGS[tag])
    return Com(
        lds_version=text(items.get(TAG_LDS_VERSION, b""), "LDS version"),
        unicode_version=text(items.get(TAG_UNICODE_VERSION, b""), "Unicode version"),
        data_groups=tuple(groups),
    )


def encode_com(
    data_groups: list[int], *, lds_version: str = "0107", unicode_version: str = "040000"
) -> bytes:
    body = encode_tlv(TAG_LDS_VERSION, lds_version.encode()) + encode_tlv(
        TAG_UNICODE_VERSION, unicode_version.encode()
    )
    body += encode_tlv(TAG_DG_LIST, bytes(TAG_BY_DG[number] for number in data_groups))
    return encode_tlv(TAG_COM, body)
