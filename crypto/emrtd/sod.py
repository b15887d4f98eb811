"""EF.SOD (tag 77): the Document Security Object, a CMS SignedData over the
LDSSecurityObject that lists each data group's hash (ICAO 9303-10 4.6.2)."""

from __future__ import annotations

from dataclasses import dataclass, field

from asn1crypto import cms

from crypto.emrtd._asn1 import OID_LDS_SECURITY_OBJECT, LdsSecurityObject
from crypto.emrtd._cms import load_signed_data
from crypto.emrtd.errors import SodFormatError

TAG_SOD = 0x77
_SUPPORTED_DIGESTS = ("sha1", "sha224", "sha256", "sha384", "sha512")


@dataclass(frozen=True)
class Sod:
    """The parsed SOD. Nothing here is trusted until ``passive_authentication`` says so."""

    digest_algorithm: str
    unverified_hashes: dict[int, bytes] = field(repr=False)
    lds_version: str | None
    signed_data: cms.SignedData = field(repr=False)
    content: bytes = field(repr=False)


def parse_sod(unverified: bytes) -> Sod:
    """Unwrap the 77 TLV and decode the SignedData; raise SodFormatError."""
    der = _unwrap(unverified)
    signed, content_type, content = load_signed_data(der, malformed=SodFormatError)
    if content_type != OID_LDS_SECURITY_OBJECT:
        raise SodFormatError(f"SOD content type is {content_type}, not ldsSecurityObject")
    try:
        lso = LdsSecurityObject.load(content, strict=True)
        digest = lso["hash_algorithm"]["algorithm"].native
        hashes: dict[int, bytes] = {}
        for item in lso["data_group_hash_values"]:
            number = int(item["data_group_number"].native)
            if not 1 <= number <= 16 or number in hashes:  # noqa: PLR2004
                raise SodFormatError(f"SOD lists data group {number} badly")
            hashes[number] = bytes(item["data_group_hash_value"].native)
        version_info = lso["lds_version_info"]
        lds_version = None if version_info.native is None else version_info["lds_version"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise SodFormatError(f"LDS security object does not parse: {exc}") from exc
    if digest not in _SUPPORTED_DIGESTS:
        raise SodFormatError(f"SOD digest algorithm {digest} is not supported")
    return Sod(digest, hashes, lds_version, signed, content)


def _unwrap(data: bytes) -> bytes:
    if len(data) < 2 or data[0] != TAG_SOD:  # noqa: PLR2004
        raise SodFormatError("EF.SOD does not start with tag 77")
    first = data[1]
    if first < 0x80:  # noqa: PLR2004
        start, length = 2, first
    else:
        count = first & 0x7F
        if count == 0 or count > 3 or len(data) < 2 + count:  # noqa: PLR2004
            raise SodFormatError("EF.SOD length field is malformed")
        start, length = 2 + count, int.from_bytes(data[2 : 2 + count], "big")
    if start + length != len(data):
        raise SodFormatError("EF.SOD length does not match its size")
    return data[start:]
