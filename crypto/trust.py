"""The trust bundle: which issuing keys readers trust, which are retired or compromised,
and since when. It is signed by the root (at a key ceremony) and numbered, so a reader
refuses an older bundle than the one it holds.

Status semantics (``since`` is the cut-off):

- ``trusted``: certificates and CRLs it signs are accepted (``since`` is informative).
- ``retired``: it no longer issues cards. Certificates whose notBefore is at or after
  ``since`` are refused; older cards stay valid, and its CRLs are still accepted so they
  can still be revoked.
- ``compromised``: certificates with notBefore at or after ``since`` and CRLs with
  thisUpdate at or after ``since`` are refused. A thief can back-date, so compromise
  is followed by re-carding (docs/key-custody.md); the cut-off buys that time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crypto import _envelope
from crypto._encoding import b64_decode, format_time, parse_time, require_aware
from crypto.errors import (
    BadSignatureError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    IssuerCompromisedError,
    IssuerRetiredError,
    MalformedInputError,
    ProfileViolationError,
    TrustBundleRollbackError,
    UnknownIssuerError,
)
from crypto.issuers import CertificateAuthority, check_ca_certificate

TRUST_BUNDLE_TYPE = "hue-ecard/trust-bundle"
TRUST_BUNDLE_VERSION = 1


class IssuerStatus(StrEnum):
    TRUSTED = "trusted"
    RETIRED = "retired"
    COMPROMISED = "compromised"


@dataclass(frozen=True)
class TrustBundleEntry:
    """One issuing CA as the root lists it (input to ``sign_trust_bundle``)."""

    certificate: x509.Certificate
    status: IssuerStatus
    since: datetime


@dataclass(frozen=True)
class TrustedIssuer:
    """An issuing CA from a verified trust bundle."""

    key_id: str
    certificate: x509.Certificate
    public_key: ec.EllipticCurvePublicKey
    status: IssuerStatus
    since: datetime
    not_before: datetime
    not_after: datetime
    name_der: bytes  # DER of the subject Name, compared with certificates' issuer

    @property
    def name(self) -> x509.Name:
        return self.certificate.subject

    def check_certificate_issued_at(self, not_before: datetime) -> None:
        """Refuse a certificate this issuer signed after its cut-off."""
        if self.status is IssuerStatus.RETIRED and not_before >= self.since:
            raise IssuerRetiredError(self.key_id, self.since, not_before)
        if self.status is IssuerStatus.COMPROMISED and not_before >= self.since:
            raise IssuerCompromisedError(self.key_id, self.since, not_before)

    def check_list_issued_at(self, this_update: datetime) -> None:
        """Refuse a revocation list a compromised issuer signed after its cut-off."""
        if self.status is IssuerStatus.COMPROMISED and this_update >= self.since:
            raise IssuerCompromisedError(self.key_id, self.since, this_update)

    def check_valid_at(self, now: datetime) -> None:
        if now > self.not_after:
            raise CertificateExpiredError(self.not_after, now)
        if now < self.not_before:
            raise CertificateNotYetValidError(self.not_before, now)


@dataclass(frozen=True)
class TrustBundle:
    """A verified trust bundle. ``envelope`` is the signed bytes, to pass on unchanged."""

    sequence: int
    issued_at: datetime
    root_key_id: str
    issuers: Mapping[str, TrustedIssuer]
    envelope: bytes

    def issuer(self, key_id: str) -> TrustedIssuer:
        found = self.issuers.get(key_id)
        if found is None:
            raise UnknownIssuerError(key_id)
        return found


def sign_trust_bundle(
    root: CertificateAuthority,
    entries: Iterable[TrustBundleEntry],
    *,
    sequence: int,
    now: datetime,
) -> bytes:
    """The root signs the list of issuing CAs (a key-ceremony step)."""
    if sequence < 1:
        raise ValueError("sequence numbers start at 1")
    issuers: list[dict[str, Any]] = [
        {
            "certificate": entry.certificate.public_bytes(serialization.Encoding.DER),
            "status": IssuerStatus(entry.status).value,
            "since": format_time(entry.since),
        }
        for entry in entries
    ]
    issuers.sort(key=lambda item: item["certificate"])
    content = {"sequence": sequence, "issued_at": format_time(now), "issuers": issuers}
    return _envelope.seal(
        root.signer, type_=TRUST_BUNDLE_TYPE, version=TRUST_BUNDLE_VERSION, content=content
    )


def verify_trust_bundle(
    unverified_bundle: bytes,
    *,
    roots: Sequence[x509.Certificate],
    now: datetime,
    held_sequence: int | None = None,
) -> TrustBundle:
    """Verify a bundle against the root certificates provisioned out of band."""
    now = require_aware(now)
    anchors = {}
    for root in roots:
        facts = check_ca_certificate(root)
        if facts.authority_key_id != facts.key_id:
            raise ProfileViolationError("root", "a root certificate must be self-issued")
        anchors[facts.key_id] = root

    def root_key(key_id: str) -> ec.EllipticCurvePublicKey:
        if key_id not in anchors:
            raise UnknownIssuerError(key_id)
        return check_ca_certificate(anchors[key_id]).public_key

    opened = _envelope.open_envelope(
        unverified_bundle, type_=TRUST_BUNDLE_TYPE, versions={TRUST_BUNDLE_VERSION}, keys=root_key
    )
    root_certificate = anchors[opened.key_id]
    if now > root_certificate.not_valid_after_utc:
        raise CertificateExpiredError(root_certificate.not_valid_after_utc, now)
    content = opened.content
    if set(content) != {"sequence", "issued_at", "issuers"}:
        raise MalformedInputError("trust bundle content has unexpected fields")
    sequence = content["sequence"]
    if type(sequence) is not int or sequence < 1:
        raise MalformedInputError("trust bundle sequence must be a positive integer")
    if held_sequence is not None and sequence <= held_sequence:
        raise TrustBundleRollbackError(held_sequence, sequence)
    if not isinstance(content["issuers"], list):
        raise MalformedInputError("trust bundle issuers must be a list")
    issuers: dict[str, TrustedIssuer] = {}
    for item in content["issuers"]:
        issuer = _trusted_issuer(item, root_certificate, opened.key_id)
        if issuer.key_id in issuers:
            raise MalformedInputError(f"issuer {issuer.key_id} listed twice")
        issuers[issuer.key_id] = issuer
    return TrustBundle(
        sequence=sequence,
        issued_at=parse_time(content["issued_at"]),
        root_key_id=opened.key_id,
        issuers=MappingProxyType(issuers),
        envelope=unverified_bundle,
    )


def _trusted_issuer(item: object, root: x509.Certificate, root_key_id: str) -> TrustedIssuer:
    if not isinstance(item, dict) or set(item) != {"certificate", "status", "since"}:
        raise MalformedInputError("trust bundle entry must have certificate, status, since")
    try:
        certificate = x509.load_der_x509_certificate(b64_decode(item["certificate"]))
        status = IssuerStatus(item["status"])
    except ValueError as exc:
        raise MalformedInputError(f"bad trust bundle entry: {exc}") from exc
    facts = check_ca_certificate(certificate)
    if facts.path_length != 0:
        raise ProfileViolationError("basicConstraints", "an issuing CA must have pathLen 0")
    if facts.authority_key_id != root_key_id:
        raise UnknownIssuerError(facts.authority_key_id)
    try:
        certificate.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise BadSignatureError(f"issuing CA {facts.key_id} is not signed by the root") from exc
    return TrustedIssuer(
        key_id=facts.key_id,
        certificate=certificate,
        public_key=facts.public_key,
        status=status,
        since=parse_time(item["since"]),
        not_before=facts.not_before,
        not_after=facts.not_after,
        name_der=certificate.subject.public_bytes(),
    )
