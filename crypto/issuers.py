"""Issuer keys and their certificates: a root CA that certifies issuing CAs.

The root key is kept offline and used at key ceremonies only: it certifies issuing
CAs and signs trust bundles. Issuing CAs (online, ideally in an HSM) sign card
certificates and revocation lists. Because readers trust the root's list of issuing
keys (crypto.trust), an issuing key can be rotated or retired without re-carding.

Profile of a CA certificate: v3, ecdsa-with-SHA256, P-256 key; basicConstraints
CA:TRUE critical (pathLen 1 for a root, 0 for an issuing CA); keyUsage keyCertSign
and cRLSign, critical; subject and authority key identifiers equal to key ids.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from crypto._encoding import require_aware
from crypto.errors import IssuanceError, ProfileViolationError
from crypto.keys import key_id, key_id_bytes, require_p256
from crypto.oids import ECDSA_WITH_SHA256
from crypto.signers import Signer, as_private_key

ROOT_VALIDITY = timedelta(days=20 * 365)
ISSUING_VALIDITY = timedelta(days=10 * 365)
SERIAL_BITS = 159  # positive and at most 20 octets (RFC 5280 4.1.2.2)

_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


@dataclass(frozen=True)
class CertificateAuthority:
    """A signing key together with its certificate: what issues certificates and CRLs."""

    signer: Signer
    certificate: x509.Certificate

    def __post_init__(self) -> None:
        if self.certificate.public_key() != self.signer.public_key:
            raise IssuanceError("the certificate is not for this signer's key")

    @property
    def key_id(self) -> str:
        return self.signer.key_id

    @property
    def name(self) -> x509.Name:
        return self.certificate.subject


def ca_name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def random_serial() -> int:
    return secrets.randbits(SERIAL_BITS) | 1 << (SERIAL_BITS - 1)


def to_x509_time(moment: datetime) -> datetime:
    """X.509 times have whole seconds."""
    return require_aware(moment).replace(microsecond=0)


def create_root_ca(
    signer: Signer,
    *,
    common_name: str,
    organization: str,
    now: datetime,
    validity: timedelta = ROOT_VALIDITY,
    serial: int | None = None,
) -> CertificateAuthority:
    """A self-signed root certificate for ``signer`` (pathLen 1: it certifies issuing CAs)."""
    name = ca_name(common_name, organization)
    not_before = to_x509_time(now)
    certificate = _ca_builder(
        subject=name,
        issuer=name,
        public_key=signer.public_key,
        issuer_public_key=signer.public_key,
        not_before=not_before,
        not_after=not_before + validity,
        path_length=1,
        serial=serial,
    ).sign(as_private_key(signer), hashes.SHA256())
    return CertificateAuthority(signer, certificate)


def issue_issuing_ca(
    root: CertificateAuthority,
    issuing_public_key: ec.EllipticCurvePublicKey,
    *,
    common_name: str,
    organization: str,
    now: datetime,
    validity: timedelta = ISSUING_VALIDITY,
    serial: int | None = None,
) -> x509.Certificate:
    """The root certifies an issuing key (pathLen 0: it certifies cards only)."""
    require_p256(issuing_public_key)
    not_before = to_x509_time(now)
    not_after = not_before + validity
    if not_after > root.certificate.not_valid_after_utc:
        raise IssuanceError("an issuing CA may not outlive its root")
    return _ca_builder(
        subject=ca_name(common_name, organization),
        issuer=root.name,
        public_key=issuing_public_key,
        issuer_public_key=root.signer.public_key,
        not_before=not_before,
        not_after=not_after,
        path_length=0,
        serial=serial,
    ).sign(as_private_key(root.signer), hashes.SHA256())


def _ca_builder(
    *,
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    issuer_public_key: ec.EllipticCurvePublicKey,
    not_before: datetime,
    not_after: datetime,
    path_length: int,
    serial: int | None,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(random_serial() if serial is None else serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier(key_id_bytes(public_key)), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier(key_id_bytes(issuer_public_key), None, None),
            critical=False,
        )
    )


@dataclass(frozen=True)
class CaCertificateFacts:
    """What a CA certificate says, once it is known to be inside our CA profile."""

    key_id: str
    authority_key_id: str
    subject: x509.Name
    not_before: datetime
    not_after: datetime
    path_length: int
    public_key: ec.EllipticCurvePublicKey


def check_ca_certificate(certificate: x509.Certificate) -> CaCertificateFacts:
    """Refuse a CA certificate outside our profile (does not verify its signature)."""
    public_key = require_p256(certificate.public_key())
    if certificate.signature_algorithm_oid != ECDSA_WITH_SHA256:
        raise ProfileViolationError("signatureAlgorithm", "must be ecdsa-with-SHA256")
    if certificate.version != x509.Version.v3:
        raise ProfileViolationError("version", "must be v3")
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        usage_extension = certificate.extensions.get_extension_for_class(x509.KeyUsage)
        ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound as exc:
        raise ProfileViolationError("extensions", f"missing {exc.oid.dotted_string}") from exc
    except ValueError as exc:
        raise ProfileViolationError("extensions", str(exc)) from exc
    if not (constraints.critical and constraints.value.ca):
        raise ProfileViolationError("basicConstraints", "must be critical with CA:TRUE")
    if constraints.value.path_length is None:
        raise ProfileViolationError("basicConstraints", "must limit the path length")
    usage = usage_extension.value
    if not (usage_extension.critical and usage.key_cert_sign and usage.crl_sign):
        raise ProfileViolationError("keyUsage", "must be critical with keyCertSign and cRLSign")
    own_id = key_id(public_key)
    if ski.digest.hex() != own_id:
        raise ProfileViolationError("subjectKeyIdentifier", "must be the key id")
    if aki.key_identifier is None:
        raise ProfileViolationError("authorityKeyIdentifier", "must carry a key id")
    return CaCertificateFacts(
        key_id=own_id,
        authority_key_id=aki.key_identifier.hex(),
        subject=certificate.subject,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        path_length=constraints.value.path_length,
        public_key=public_key,
    )
