"""A strict, fast reader for DER card certificates of exactly our profile.

Every tap of a new card parses one certificate, and the issue's budget for the whole
cold tap is 2.5 signature verifications, so the general-purpose object model is too
slow here. This reader walks the DER once, compares fixed parts byte for byte with
what our issuer writes, and returns the variable fields; anything else is refused.
The tests check it against ``cryptography``'s parser on every certificate they make.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import UUID

from crypto import _der
from crypto.errors import MalformedInputError, ProfileViolationError
from crypto.oids import HOLDER_ID

_LONG_FORM = 0x80
_KEY_ID_BYTES = 20
_POINT_BYTES = 65
_UUID_TEXT = 36
_UTC_TIME = 0x17
_GENERALIZED_TIME = 0x18
_UTC_TIME_LENGTH = 13
_GENERALIZED_TIME_LENGTH = 15
_UTC_TIME_HEADER = bytes([_UTC_TIME, _UTC_TIME_LENGTH])
_GENERALIZED_TIME_HEADER = bytes([_GENERALIZED_TIME, _GENERALIZED_TIME_LENGTH])
_UTC_TIME_PIVOT = 50  # RFC 5280 4.1.2.5.1: YY >= 50 is 19YY
_MAX_SERIAL_BYTES = 20
_CANONICAL_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

ECDSA_SHA256_ALGORITHM = _der.sequence(_der.oid("1.2.840.10045.4.3.2"))
_VERSION_3 = _der.tlv(0xA0, _der.integer(2))
_SPKI_PREFIX = _der.sequence(
    _der.sequence(_der.oid("1.2.840.10045.2.1"), _der.oid("1.2.840.10045.3.1.7")),
    _der.tlv(0x03, b"\x00" + b"\x04" + bytes(64)),
)[:-(_POINT_BYTES)]
_SUBJECT_PREFIX = _der.sequence(
    _der.tlv(0x31, _der.sequence(_der.oid("2.5.4.5"), _der.tlv(0x13, bytes(_UUID_TEXT))))
)[:-_UUID_TEXT]
_CRITICAL = b"\x01\x01\xff"

OID_BASIC_CONSTRAINTS = _der.oid("2.5.29.19")
OID_KEY_USAGE = _der.oid("2.5.29.15")
OID_EXTENDED_KEY_USAGE = _der.oid("2.5.29.37")
OID_SUBJECT_ALT_NAME = _der.oid("2.5.29.17")
OID_AUTHORITY_KEY_ID = _der.oid("2.5.29.35")
OID_SUBJECT_KEY_ID = _der.oid("2.5.29.14")
OID_CRL_DISTRIBUTION_POINTS = _der.oid("2.5.29.31")
OID_HOLDER_ID = _der.oid(HOLDER_ID.dotted_string)

_BASIC_CONSTRAINTS_END_ENTITY = _der.sequence()
_KEY_USAGE_DIGITAL_SIGNATURE = _der.tlv(0x03, b"\x07\x80")
_EKU_PIV_CARD_AUTH = _der.sequence(_der.oid("2.16.840.1.101.3.6.8"))


class RawCardCertificate(NamedTuple):
    tbs: bytes
    signature: bytes
    serial: int
    issuer_name: bytes  # DER of the issuer Name
    not_before: datetime
    not_after: datetime
    card_id: UUID
    spki: bytes  # the SubjectPublicKeyInfo DER
    point: bytes  # uncompressed P-256 point
    key_id: bytes  # the point's key id, equal to the subjectKeyIdentifier
    authority_key_id: bytes
    holder_id: UUID
    crl_url: str


class NotOurKeyError(Exception):
    """The SubjectPublicKeyInfo is not a P-256 key in our encoding (caller says why)."""

    def __init__(self, spki: bytes) -> None:
        super().__init__("not an uncompressed named-curve P-256 key")
        self.spki = spki


def _tlv(data: bytes, position: int, tag: int) -> tuple[int, int]:
    """(start of value, end of value) of the TLV at ``position``, which must have ``tag``."""
    if position + 2 > len(data) or data[position] != tag:
        raise MalformedInputError(f"DER: expected tag {tag:#04x} at {position}")
    first = data[position + 1]
    if first < _LONG_FORM:
        start = position + 2
        end = start + first
    else:
        count = first & 0x7F
        if not 1 <= count <= 2:  # noqa: PLR2004 - certificates are shorter than 64 KiB
            raise MalformedInputError("DER: unsupported length form")
        start = position + 2 + count
        length = int.from_bytes(data[position + 2 : start], "big")
        if data[position + 2] == 0 or length < _LONG_FORM:
            raise MalformedInputError("DER: non-minimal length")
        end = start + length
    if end > len(data):
        raise MalformedInputError("DER: truncated")
    return start, end


def _extension(oid: bytes, value: bytes, *, critical: bool) -> bytes:
    return _der.sequence(oid, _CRITICAL if critical else b"", _der.octet_string(value))


_UUID_PLACEHOLDER = b"\x00" * _UUID_TEXT
_SAN_EXTENSION = _extension(
    OID_SUBJECT_ALT_NAME, _der.sequence(_der.tlv(0x86, b"urn:uuid:" + _UUID_PLACEHOLDER)),
    critical=False,
)  # fmt: skip
# Our issuer writes the extensions in this order; the fixed parts are compared as bytes.
_BEFORE_CARD_ID = (
    _extension(OID_BASIC_CONSTRAINTS, _BASIC_CONSTRAINTS_END_ENTITY, critical=True)
    + _extension(OID_KEY_USAGE, _KEY_USAGE_DIGITAL_SIGNATURE, critical=True)
    + _extension(OID_EXTENDED_KEY_USAGE, _EKU_PIV_CARD_AUTH, critical=True)
    + _SAN_EXTENSION[:-_UUID_TEXT]
)
_AKI_EXTENSION_PREFIX = _extension(
    OID_AUTHORITY_KEY_ID, _der.sequence(_der.tlv(0x80, bytes(_KEY_ID_BYTES))), critical=False
)[:-_KEY_ID_BYTES]
_SKI_EXTENSION_PREFIX = _extension(
    OID_SUBJECT_KEY_ID, _der.octet_string(bytes(_KEY_ID_BYTES)), critical=False
)[:-_KEY_ID_BYTES]
_HOLDER_EXTENSION_PREFIX = _extension(OID_HOLDER_ID, _der.octet_string(bytes(16)), critical=False)[
    :-16
]


def parse(der: bytes) -> RawCardCertificate:
    """Walk a card certificate; MalformedInputError / ProfileViolationError otherwise."""
    tbs, tbs_value, tbs_end, signature = _outer(der)
    serial, issuer_name, not_before, not_after, position = _header(der, tbs_value)
    if not der.startswith(_SUBJECT_PREFIX, position):
        raise ProfileViolationError("subject", "must be exactly serialNumber=<card id>")
    position += len(_SUBJECT_PREFIX)
    card_id_text = der[position : position + _UUID_TEXT]
    card_id = _uuid(card_id_text, "subject serialNumber")
    position += _UUID_TEXT
    if not der.startswith(_SPKI_PREFIX + b"\x04", position):
        _, spki_end = _tlv(der, position, 0x30)
        raise NotOurKeyError(der[position:spki_end])
    spki = der[position : position + len(_SPKI_PREFIX) + _POINT_BYTES]
    position += len(_SPKI_PREFIX)
    point = der[position : position + _POINT_BYTES]
    key_id = hashlib.sha256(point).digest()[:_KEY_ID_BYTES]
    authority_key_id, crl_url, holder_id = _extensions(
        der, position + _POINT_BYTES, tbs_end, card_id_text, key_id
    )
    return RawCardCertificate(
        tbs=tbs,
        signature=signature,
        serial=serial,
        issuer_name=issuer_name,
        not_before=not_before,
        not_after=not_after,
        card_id=card_id,
        spki=spki,
        point=point,
        key_id=key_id,
        authority_key_id=authority_key_id,
        holder_id=holder_id,
        crl_url=crl_url,
    )


def _outer(der: bytes) -> tuple[bytes, int, int, bytes]:
    """Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }."""
    start, end = _tlv(der, 0, 0x30)
    if end != len(der):
        raise MalformedInputError("DER: trailing bytes after the certificate")
    tbs_value, tbs_end = _tlv(der, start, 0x30)
    if not der.startswith(ECDSA_SHA256_ALGORITHM, tbs_end):
        raise ProfileViolationError("signatureAlgorithm", "must be ecdsa-with-SHA256")
    signature_start, signature_end = _tlv(der, tbs_end + len(ECDSA_SHA256_ALGORITHM), 0x03)
    if signature_end != end or der[signature_start : signature_start + 1] != b"\x00":
        raise MalformedInputError("DER: bad signature BIT STRING")
    return der[start:tbs_end], tbs_value, tbs_end, der[signature_start + 1 : signature_end]


def _header(der: bytes, position: int) -> tuple[int, bytes, datetime, datetime, int]:
    """version, serialNumber, signature, issuer, validity."""
    if not der.startswith(_VERSION_3, position):
        raise ProfileViolationError("version", "must be v3")
    serial_start, position = _tlv(der, position + len(_VERSION_3), 0x02)
    serial = der[serial_start:position]
    if (
        not serial
        or len(serial) > _MAX_SERIAL_BYTES
        or serial[0] >= _LONG_FORM
        or (len(serial) > 1 and serial[0] == 0 and serial[1] < _LONG_FORM)
    ):
        raise ProfileViolationError("serialNumber", "must be a positive DER INTEGER of <= 20 bytes")
    if not der.startswith(ECDSA_SHA256_ALGORITHM, position):
        raise ProfileViolationError("signature", "must be ecdsa-with-SHA256")
    issuer_start = position + len(ECDSA_SHA256_ALGORITHM)
    _, position = _tlv(der, issuer_start, 0x30)
    validity_start, validity_end = _tlv(der, position, 0x30)
    not_before, middle = _time(der, validity_start)
    not_after, after = _time(der, middle)
    if after != validity_end:
        raise MalformedInputError("DER: bad validity")
    issuer_name = der[issuer_start:position]
    return int.from_bytes(serial, "big"), issuer_name, not_before, not_after, validity_end


def _extensions(
    der: bytes, position: int, tbs_end: int, card_id_text: bytes, key_id: bytes
) -> tuple[bytes, str, UUID]:
    """The extensions of our profile, in the order our issuer writes them."""
    extensions_start, extensions_end = _tlv(der, position, 0xA3)
    position, sequence_end = _tlv(der, extensions_start, 0x30)
    if extensions_end != tbs_end or sequence_end != tbs_end:
        raise ProfileViolationError("tbsCertificate", "unexpected fields")
    # basicConstraints, keyUsage, extendedKeyUsage, subjectAltName (with the card id)
    if not der.startswith(_BEFORE_CARD_ID, position):
        raise ProfileViolationError("extensions", "must be those of the card profile, in order")
    position += len(_BEFORE_CARD_ID)
    if der[position : position + _UUID_TEXT] != card_id_text:
        raise ProfileViolationError("subjectAltName", "must be the URI urn:uuid:<card id>")
    position += _UUID_TEXT
    # authorityKeyIdentifier (key id only), subjectKeyIdentifier (the card key's id)
    if not der.startswith(_AKI_EXTENSION_PREFIX, position):
        raise ProfileViolationError("authorityKeyIdentifier", "must be a 20-byte key id only")
    position += len(_AKI_EXTENSION_PREFIX)
    authority_key_id = der[position : position + _KEY_ID_BYTES]
    position += _KEY_ID_BYTES
    if not der.startswith(_SKI_EXTENSION_PREFIX + key_id, position):
        raise ProfileViolationError("subjectKeyIdentifier", "must be the card key's key id")
    position += len(_SKI_EXTENSION_PREFIX) + _KEY_ID_BYTES
    # cRLDistributionPoints: one URI
    extension_start, extension_end = _tlv(der, position, 0x30)
    if not der.startswith(OID_CRL_DISTRIBUTION_POINTS, extension_start):
        raise ProfileViolationError("extensions", "must be those of the card profile, in order")
    value_start, value_end = _tlv(
        der, extension_start + len(OID_CRL_DISTRIBUTION_POINTS), _der.TAG_OCTET_STRING
    )
    if value_end != extension_end:
        raise MalformedInputError("DER: bad extension")
    crl_url = _crl_url(der[value_start:value_end])
    # holderId: 16 bytes, and nothing after it
    position = extension_end + len(_HOLDER_EXTENSION_PREFIX)
    if not der.startswith(_HOLDER_EXTENSION_PREFIX, extension_end) or position + 16 != tbs_end:
        raise ProfileViolationError("holderId", "must be a 16-byte OCTET STRING, last")
    return authority_key_id, crl_url, UUID(bytes=der[position:tbs_end])


@functools.lru_cache(maxsize=64)  # every card of an issuer carries the same value
def _crl_url(value: bytes) -> str:
    position = 0
    for tag in (0x30, 0x30, 0xA0, 0xA0):  # DistributionPoints, DP, distributionPoint, fullName
        start, end = _tlv(value, position, tag)
        if end != len(value):
            raise ProfileViolationError("cRLDistributionPoints", "must be one URI")
        position = start
    start, end = _tlv(value, position, 0x86)
    if end != len(value):
        raise ProfileViolationError("cRLDistributionPoints", "must be one URI")
    try:
        return value[start:end].decode("ascii")
    except UnicodeDecodeError as exc:
        raise ProfileViolationError("cRLDistributionPoints", "URI must be ASCII") from exc


def _uuid(raw: bytes, field: str) -> UUID:
    if _CANONICAL_UUID.fullmatch(raw) is None:
        raise ProfileViolationError(field, "must be a UUID in canonical (lower-case) form")
    return UUID(int=int(raw.replace(b"-", b""), 16))


def _time(der: bytes, position: int) -> tuple[datetime, int]:
    """UTCTime YYMMDDHHMMSSZ (years to 2049) or GeneralizedTime YYYYMMDDHHMMSSZ (from 2050)."""
    header = der[position : position + 2]
    if header == _UTC_TIME_HEADER:
        tag = _UTC_TIME
    elif header == _GENERALIZED_TIME_HEADER:
        tag = _GENERALIZED_TIME
    else:
        raise MalformedInputError("DER: expected UTCTime or GeneralizedTime, whole seconds, Z")
    start = position + 2
    end = start + header[1]
    if end > len(der):
        raise MalformedInputError("DER: truncated")
    digits = der[start : end - 1]
    if der[end - 1] != ord("Z") or not digits.isdigit():
        raise MalformedInputError("DER: times must be digits ending in Z")
    rest, seconds = divmod(int(digits), 100)
    rest, minutes = divmod(rest, 100)
    rest, hours = divmod(rest, 100)
    rest, day = divmod(rest, 100)
    year, month = divmod(rest, 100)
    if tag == _UTC_TIME:
        year += 1900 if year >= _UTC_TIME_PIVOT else 2000
    elif year < 1900 + _UTC_TIME_PIVOT + 100:
        raise ProfileViolationError("validity", "dates before 2050 must be UTCTime")
    try:
        moment = datetime(year, month, day, hours, minutes, seconds, tzinfo=UTC)
    except ValueError as exc:
        raise MalformedInputError("DER: not a valid time") from exc
    return moment, end
