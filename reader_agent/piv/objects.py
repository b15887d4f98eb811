"""The PIV data objects the platform reads and writes, and their strict parsers.

Layouts are SP 800-73-4 Part 1: the application property template (table 3 of
section 3.1.1 answers SELECT), the CHUID (table 9), the X.509 certificate objects
(table 10-15) and the Discovery object (table 18). Parsers take bytes that came from
a card and raise ``MalformedResponseError`` for anything they cannot vouch for.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.tlv import Tlv, encode_tlv, find, parse_all, parse_one, require
from reader_agent.piv.constants import (
    NIST_RID,
    PIV_AID,
    PIV_PIX,
    TAG_ALGORITHM_IDENTIFIER,
    TAG_ALLOCATION_AUTHORITY,
    TAG_APPLICATION_IDENTIFIER,
    TAG_APPLICATION_LABEL,
    TAG_APPLICATION_PROPERTY_TEMPLATE,
    TAG_CERT_INFO,
    TAG_CERTIFICATE,
    TAG_CRYPTOGRAPHIC_ALGORITHMS,
    TAG_DATA,
    TAG_ERROR_DETECTION_CODE,
    TAG_OBJECT_IDENTIFIER,
    ObjectId,
)
from reader_agent.piv.fascn import FASCN_LENGTH, NON_FEDERAL_FASCN

# CHUID tags (table 9).
_TAG_FASCN = 0x30
_TAG_GUID = 0x34
_TAG_EXPIRATION = 0x35
_TAG_CARDHOLDER_UUID = 0x36
_TAG_ISSUER_SIGNATURE = 0x3E
_UUID_LENGTH = 16
_DATE_LENGTH = 8  # YYYYMMDD
# Discovery object tags (table 18).
_TAG_PIN_USAGE_POLICY = 0x5F2F
# PIN usage policy: the PIV PIN satisfies the access conditions; no global PIN.
DEFAULT_PIN_USAGE_POLICY = bytes.fromhex("4000")
_CERT_INFO_COMPRESSED = 0x01
_PIX_WITHOUT_VERSION = 4


# ---------------------------------------------------------------- SELECT answer


@dataclass(frozen=True)
class ApplicationProperties:
    """What the card said about its PIV application when selected (unverified)."""

    aid: bytes
    label: str | None
    algorithms: frozenset[int] = field(default_factory=frozenset)


def encode_application_properties(*, label: str, algorithms: Sequence[int]) -> bytes:
    """The template a card answers SELECT with: PIX in 4F, NIST's RID in 79."""
    mechanisms = b"".join(encode_tlv(TAG_ALGORITHM_IDENTIFIER, bytes((a,))) for a in algorithms)
    mechanisms += encode_tlv(TAG_OBJECT_IDENTIFIER, b"\x00")
    body = (
        encode_tlv(TAG_APPLICATION_IDENTIFIER, PIV_PIX)
        + encode_tlv(TAG_ALLOCATION_AUTHORITY, encode_tlv(TAG_APPLICATION_IDENTIFIER, NIST_RID))
        + encode_tlv(TAG_APPLICATION_LABEL, label.encode("ascii"))
        + encode_tlv(TAG_CRYPTOGRAPHIC_ALGORITHMS, mechanisms)
    )
    return encode_tlv(TAG_APPLICATION_PROPERTY_TEMPLATE, body)


def parse_application_properties(unverified: bytes) -> ApplicationProperties:
    template = parse_one(unverified, expected_tag=TAG_APPLICATION_PROPERTY_TEMPLATE)
    items = template.children()
    aid = require(items, TAG_APPLICATION_IDENTIFIER).value
    if not _names_piv(aid):
        raise MalformedResponseError(f"SELECT answered for application {aid.hex()}, not PIV")
    label_tlv = find(items, TAG_APPLICATION_LABEL)
    label = _ascii(label_tlv.value, "application label") if label_tlv else None
    algorithms: set[int] = set()
    mechanisms = find(items, TAG_CRYPTOGRAPHIC_ALGORITHMS)
    if mechanisms is not None:
        for item in mechanisms.children():
            if item.tag == TAG_ALGORITHM_IDENTIFIER:
                if len(item.value) != 1:
                    raise MalformedResponseError("algorithm identifier is not one byte")
                algorithms.add(item.value[0])
    return ApplicationProperties(aid=aid, label=label, algorithms=frozenset(algorithms))


def _names_piv(aid: bytes) -> bool:
    # Cards name the application by its PIX (as the standard says), by the PIX without
    # its version, or by the whole AID.
    by_aid = len(aid) >= len(NIST_RID) and PIV_AID.startswith(aid)
    by_pix = len(aid) >= _PIX_WITHOUT_VERSION and PIV_PIX.startswith(aid)
    return by_aid or by_pix


# ---------------------------------------------------------------- GET DATA envelope


def wrap_data_object(object_id: int, value: bytes) -> bytes:
    """How GET DATA answers: the Discovery object under its own tag, the rest under 53."""
    return encode_tlv(_envelope_tag(object_id), value)


def unwrap_data_object(object_id: int, unverified: bytes) -> bytes:
    return parse_one(unverified, expected_tag=_envelope_tag(object_id)).value


def _envelope_tag(object_id: int) -> int:
    return ObjectId.DISCOVERY if object_id == ObjectId.DISCOVERY else TAG_DATA


# ---------------------------------------------------------------- CHUID


@dataclass(frozen=True)
class Chuid:
    """Card Holder Unique Identifier. Read from a card, it is unverified: the GUID is
    a lookup hint only, never proof of anything (SP 800-116 r1)."""

    guid: uuid.UUID
    expiration: date
    fascn: bytes = NON_FEDERAL_FASCN.encode()
    cardholder_uuid: uuid.UUID | None = None
    issuer_signature: bytes = b""

    def encode(self) -> bytes:
        """The object's value (what goes inside 53)."""
        body = encode_tlv(_TAG_FASCN, self.fascn) + encode_tlv(_TAG_GUID, self.guid.bytes)
        body += encode_tlv(_TAG_EXPIRATION, self.expiration.strftime("%Y%m%d").encode("ascii"))
        if self.cardholder_uuid is not None:
            body += encode_tlv(_TAG_CARDHOLDER_UUID, self.cardholder_uuid.bytes)
        body += encode_tlv(_TAG_ISSUER_SIGNATURE, self.issuer_signature)
        return body + encode_tlv(TAG_ERROR_DETECTION_CODE, b"")


def parse_chuid(unverified: bytes) -> Chuid:
    items = parse_all(unverified)
    fascn = require(items, _TAG_FASCN).value
    if len(fascn) != FASCN_LENGTH:
        raise MalformedResponseError(f"CHUID FASC-N has {len(fascn)} bytes")
    holder = find(items, _TAG_CARDHOLDER_UUID)
    signature = find(items, _TAG_ISSUER_SIGNATURE)
    return Chuid(
        guid=_uuid(require(items, _TAG_GUID), "GUID"),
        expiration=_date(require(items, _TAG_EXPIRATION).value),
        fascn=fascn,
        cardholder_uuid=_uuid(holder, "cardholder UUID") if holder else None,
        issuer_signature=signature.value if signature else b"",
    )


def _uuid(item: Tlv, what: str) -> uuid.UUID:
    if len(item.value) != _UUID_LENGTH:
        raise MalformedResponseError(f"CHUID {what} has {len(item.value)} bytes, not 16")
    return uuid.UUID(bytes=item.value)


def _date(raw: bytes) -> date:
    text = _ascii(raw, "expiration date")
    if len(text) != _DATE_LENGTH or not text.isdigit():
        raise MalformedResponseError("CHUID expiration date is not YYYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise MalformedResponseError(f"CHUID expiration date {text} does not exist") from exc


def _ascii(raw: bytes, what: str) -> str:
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedResponseError(f"{what} is not ASCII") from exc


# ---------------------------------------------------------------- certificates


def encode_certificate_object(der: bytes) -> bytes:
    """70 certificate, 71 CertInfo (uncompressed), FE error detection code (empty)."""
    return (
        encode_tlv(TAG_CERTIFICATE, der)
        + encode_tlv(TAG_CERT_INFO, b"\x00")
        + encode_tlv(TAG_ERROR_DETECTION_CODE, b"")
    )


def parse_certificate_object(unverified: bytes) -> bytes:
    """The DER certificate inside a certificate object. Compressed certificates are
    refused: the platform's issuer never writes them, so one means a foreign card."""
    items = parse_all(unverified)
    certificate = require(items, TAG_CERTIFICATE).value
    if not certificate:
        raise MalformedResponseError("certificate object holds an empty certificate")
    info = find(items, TAG_CERT_INFO)
    if info is not None and len(info.value) > 1:
        raise MalformedResponseError("CertInfo is longer than one byte")
    if info is not None and info.value and info.value[0] & _CERT_INFO_COMPRESSED:
        raise MalformedResponseError("compressed certificates are not accepted")
    return certificate


# ---------------------------------------------------------------- Discovery


def encode_discovery(pin_usage_policy: bytes = DEFAULT_PIN_USAGE_POLICY) -> bytes:
    """The Discovery object's value (inside 7E): the PIV AID and the PIN usage policy."""
    return encode_tlv(TAG_APPLICATION_IDENTIFIER, PIV_AID) + encode_tlv(
        _TAG_PIN_USAGE_POLICY, pin_usage_policy
    )
