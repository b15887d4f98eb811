"""DG2: the encoded face (tag 75, ISO/IEC 19794-5 inside a biometric information template).

Only the image bytes are extracted (JPEG or JPEG 2000). They stay in memory: this code
never writes a face to disk or to a log, and ``FaceImage.__repr__`` hides them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader_agent.emrtd.errors import LdsFormatError
from reader_agent.emrtd.lds.common import children, outer
from reader_agent.iso7816.tlv import Tlv, encode_tlv

TAG_DG2 = 0x75
TAG_GROUP_TEMPLATE = 0x7F61
TAG_TEMPLATE = 0x7F60
TAG_BIOMETRIC_DATA = 0x5F2E
TAG_BIOMETRIC_DATA_ENCIPHERED = 0x7F2E
JPEG_MAGIC = b"\xff\xd8\xff"
JP2_MAGIC = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
J2K_MAGIC = b"\xff\x4f\xff\x51"


@dataclass(frozen=True)
class FaceImage:
    mime_type: str
    unverified_data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"FaceImage({self.mime_type}, {len(self.unverified_data)} bytes)"


def parse_dg2(unverified: bytes) -> list[FaceImage]:
    group = next(
        (
            item
            for item in children(outer(unverified, TAG_DG2, "DG2"), "DG2")
            if item.tag == TAG_GROUP_TEMPLATE
        ),
        None,
    )
    if group is None:
        raise LdsFormatError("DG2 lacks its biometric group template (7F61)")
    faces = [_face(item) for item in children(group, "DG2 template") if item.tag == TAG_TEMPLATE]
    if not faces:
        raise LdsFormatError("DG2 holds no face")
    return faces


def _face(template: Tlv) -> FaceImage:
    for item in children(template, "DG2 biometric template"):
        if item.tag in (TAG_BIOMETRIC_DATA, TAG_BIOMETRIC_DATA_ENCIPHERED):
            return _image(item.value)
    raise LdsFormatError("DG2 template lacks biometric data (5F2E)")


def _image(block: bytes) -> FaceImage:
    # ISO 19794-5 headers precede the image; find the image by its signature.
    candidates = [
        (block.find(JPEG_MAGIC), "image/jpeg"),
        (block.find(JP2_MAGIC), "image/jp2"),
        (block.find(J2K_MAGIC), "image/j2k"),
    ]
    found = sorted((offset, mime) for offset, mime in candidates if offset >= 0)
    if not found:
        raise LdsFormatError("DG2 biometric data holds no JPEG or JPEG 2000 image")
    offset, mime = found[0]
    return FaceImage(mime, block[offset:])


def encode_dg2(image: bytes, *, width: int = 240, height: int = 320) -> bytes:
    """A DG2 with one face: a minimal ISO 19794-5 record around ``image`` (card side)."""
    facial = (
        b"\x00\x01"  # number of feature points: 0, expression, ...
        + bytes(18)
        + bytes((0x01, 0x01))  # full frontal, JPEG
        + width.to_bytes(2, "big")
        + height.to_bytes(2, "big")
        + bytes(4)
    )
    record_length = 4 + 4 + 2 + 4 + len(facial) + len(image) - 2
    body = b"FAC\x00" + b"010\x00" + (14 + record_length).to_bytes(4, "big") + b"\x00\x01"
    body += record_length.to_bytes(4, "big") + facial[2:] + image
    header = encode_tlv(0xA1, encode_tlv(0x80, b"\x01\x01") + encode_tlv(0x87, b"\x01\x01"))
    template = encode_tlv(TAG_TEMPLATE, header + encode_tlv(TAG_BIOMETRIC_DATA, body))
    return encode_tlv(TAG_DG2, encode_tlv(TAG_GROUP_TEMPLATE, encode_tlv(0x02, b"\x01") + template))
