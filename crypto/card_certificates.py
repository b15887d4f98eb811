"""The card-authentication certificate: issue one, and parse one strictly.

The profile (docs/card-certificate-profile.md) binds the card id (subject serialNumber
and SAN URI ``urn:uuid:``), the holder id (our holderId extension), the validity, the
card's own P-256 key (generated on the card, slot 9E) and the issuing key id
(authorityKeyIdentifier). ``parse_card_certificate`` refuses anything outside it; it
does not verify the issuer's signature: that is ``crypto.tap``'s job.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID

from crypto import _der
from crypto.errors import IssuanceError, MalformedInputError, ProfileViolationError
from crypto.issuers import CertificateAuthority, random_serial, to_x509_time
from crypto.keys import key_id, key_id_bytes, require_p256
from crypto.oids import ECDSA_WITH_SHA256, HOLDER_ID, PIV_CARD_AUTH
from crypto.signers import as_private_key

DEFAULT_MAX_VALIDITY = timedelta(days=1826)  # five years
UUID_URN_PREFIX = "urn:uuid:"

_CARD_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


@dataclass(frozen=True)
class CardCertificateProfile:
    """Issuing configuration: the issuing CA's CRL URL and the longest validity allowed."""

    crl_url: str
    max_validity: timedelta = DEFAULT_MAX_VALIDITY


@dataclass(frozen=True)
class CardCertificateFacts:
    """What a card certificate within our profile says.

    From ``parse_card_certificate`` these facts are parsed, not verified; from
    ``crypto.tap.TapVerifier`` they are verified.
    """

    card_id: UUID
    holder_id: UUID
    serial: int
    issuer_key_id: str
    key_id: str
    not_before: datetime
    not_after: datetime
    public_key: ec.EllipticCurvePublicKey
    fingerprint: bytes  # SHA-256 of the certificate DER
    crl_url: str


def issue_card_certificate(
    ca: CertificateAuthority,
    *,
    card_id: UUID,
    holder_id: UUID,
    card_public_key: ec.EllipticCurvePublicKey,
    now: datetime,
    profile: CardCertificateProfile,
    validity: timedelta | None = None,
    serial: int | None = None,
) -> bytes:
    """Sign a card-authentication certificate; returns its DER (what is written to the card)."""
    require_p256(card_public_key)
    validity = profile.max_validity if validity is None else validity
    if validity <= timedelta(0) or validity > profile.max_validity:
        raise IssuanceError(f"validity must be positive and at most {profile.max_validity}")
    not_before = to_x509_time(now)
    not_after = not_before + validity
    if not_after > ca.certificate.not_valid_after_utc:
        raise IssuanceError("a card certificate may not outlive its issuing CA")
    if not_before < ca.certificate.not_valid_before_utc:
        raise IssuanceError("the issuing CA is not valid yet")
    card_urn = UUID_URN_PREFIX + str(card_id)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.SERIAL_NUMBER, str(card_id))]))
        .issuer_name(ca.name)
        .public_key(card_public_key)
        .serial_number(random_serial() if serial is None else serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_CARD_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([PIV_CARD_AUTH]), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(card_urn)]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier(key_id_bytes(ca.signer.public_key), None, None),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier(key_id_bytes(card_public_key)), critical=False)
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(profile.crl_url)], None, None, None
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.UnrecognizedExtension(HOLDER_ID, _der.octet_string(holder_id.bytes)),
            critical=False,
        )
    )
    certificate = builder.sign(as_private_key(ca.signer), hashes.SHA256())
    return certificate.public_bytes(serialization.Encoding.DER)


def parse_card_certificate(unverified_der: bytes) -> CardCertificateFacts:
    """Parse a card certificate and check it is inside our profile (no signature check)."""
    return load_card_certificate(unverified_der)[0]


def load_card_certificate(
    unverified_der: bytes,
) -> tuple[CardCertificateFacts, x509.Certificate]:
    """``parse_card_certificate`` that also returns the loaded certificate object."""
    try:
        certificate = x509.load_der_x509_certificate(unverified_der)
    except (ValueError, TypeError) as exc:
        raise MalformedInputError(f"not a DER certificate: {exc}") from exc
    if certificate.version is not x509.Version.v3:
        raise ProfileViolationError("version", "must be v3")
    if certificate.signature_algorithm_oid != ECDSA_WITH_SHA256:
        raise ProfileViolationError("signatureAlgorithm", "must be ecdsa-with-SHA256")
    public_key = require_p256(certificate.public_key())
    card_id = _card_id_from_subject(certificate.subject)
    try:
        extensions = certificate.extensions
    except ValueError as exc:
        raise MalformedInputError(f"bad extensions: {exc}") from exc
    checked = _check_extensions(extensions, card_id, public_key)
    facts = CardCertificateFacts(
        card_id=card_id,
        holder_id=checked.holder_id,
        serial=certificate.serial_number,
        issuer_key_id=checked.issuer_key_id,
        key_id=checked.key_id,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        public_key=public_key,
        fingerprint=hashlib.sha256(unverified_der).digest(),
        crl_url=checked.crl_url,
    )
    return facts, certificate


@dataclass(frozen=True)
class _Checked:
    holder_id: UUID
    issuer_key_id: str
    key_id: str
    crl_url: str


_EXPECTED = {
    ExtensionOID.BASIC_CONSTRAINTS: True,
    ExtensionOID.KEY_USAGE: True,
    ExtensionOID.EXTENDED_KEY_USAGE: True,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME: False,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER: False,
    ExtensionOID.SUBJECT_KEY_IDENTIFIER: False,
    ExtensionOID.CRL_DISTRIBUTION_POINTS: False,
    HOLDER_ID: False,
}


def _check_extensions(
    extensions: x509.Extensions, card_id: UUID, public_key: ec.EllipticCurvePublicKey
) -> _Checked:
    found = {extension.oid: extension for extension in extensions}
    if set(found) != set(_EXPECTED) or len(found) != len(extensions):
        raise ProfileViolationError(
            "extensions", "must be exactly those of the card-authentication profile"
        )
    for oid, critical in _EXPECTED.items():
        if found[oid].critical is not critical:
            raise ProfileViolationError(oid.dotted_string, f"criticality must be {critical}")
    value = found[ExtensionOID.BASIC_CONSTRAINTS].value
    if not isinstance(value, x509.BasicConstraints) or value.ca:
        raise ProfileViolationError("basicConstraints", "must be CA:FALSE")
    if found[ExtensionOID.KEY_USAGE].value != _CARD_KEY_USAGE:
        raise ProfileViolationError("keyUsage", "must be digitalSignature only")
    eku = found[ExtensionOID.EXTENDED_KEY_USAGE].value
    if not isinstance(eku, x509.ExtendedKeyUsage) or list(eku) != [PIV_CARD_AUTH]:
        raise ProfileViolationError("extendedKeyUsage", "must be id-PIV-cardAuth only")
    san = found[ExtensionOID.SUBJECT_ALTERNATIVE_NAME].value
    if not isinstance(san, x509.SubjectAlternativeName) or list(san) != [
        x509.UniformResourceIdentifier(UUID_URN_PREFIX + str(card_id))
    ]:
        raise ProfileViolationError("subjectAltName", "must be the one URI urn:uuid:<card id>")
    aki = found[ExtensionOID.AUTHORITY_KEY_IDENTIFIER].value
    if not isinstance(aki, x509.AuthorityKeyIdentifier) or aki.key_identifier is None:
        raise ProfileViolationError("authorityKeyIdentifier", "must carry the issuer key id")
    if aki.authority_cert_issuer is not None or aki.authority_cert_serial_number is not None:
        raise ProfileViolationError("authorityKeyIdentifier", "must carry the key id only")
    if len(aki.key_identifier) != len(key_id_bytes(public_key)):
        raise ProfileViolationError("authorityKeyIdentifier", "must be a 20-byte key id")
    ski = found[ExtensionOID.SUBJECT_KEY_IDENTIFIER].value
    own_key_id = key_id(public_key)
    if not isinstance(ski, x509.SubjectKeyIdentifier) or ski.digest.hex() != own_key_id:
        raise ProfileViolationError("subjectKeyIdentifier", "must be the card key's key id")
    return _Checked(
        holder_id=_holder_id(found[HOLDER_ID].value),
        issuer_key_id=aki.key_identifier.hex(),
        key_id=own_key_id,
        crl_url=_crl_url(found[ExtensionOID.CRL_DISTRIBUTION_POINTS].value),
    )


def _card_id_from_subject(subject: x509.Name) -> UUID:
    attributes = list(subject)
    if len(attributes) != 1 or attributes[0].oid != NameOID.SERIAL_NUMBER:
        raise ProfileViolationError("subject", "must be exactly serialNumber=<card id>")
    return _uuid(attributes[0].value, "subject serialNumber")


def _uuid(text: object, field: str) -> UUID:
    if not isinstance(text, str):
        raise ProfileViolationError(field, "must be text")
    try:
        value = UUID(text)
    except ValueError as exc:
        raise ProfileViolationError(field, "must be a UUID") from exc
    if str(value) != text:
        raise ProfileViolationError(field, "must be a UUID in canonical form")
    return value


def _holder_id(value: x509.ExtensionType) -> UUID:
    if not isinstance(value, x509.UnrecognizedExtension):
        raise ProfileViolationError("holderId", "unexpected form")
    raw = _der.read_single(value.value, _der.TAG_OCTET_STRING)
    if len(raw) != 16:  # noqa: PLR2004
        raise ProfileViolationError("holderId", "must be 16 bytes")
    return UUID(bytes=raw)


def _crl_url(value: x509.ExtensionType) -> str:
    if not isinstance(value, x509.CRLDistributionPoints) or len(value) != 1:
        raise ProfileViolationError("cRLDistributionPoints", "must be one distribution point")
    point = value[0]
    names = point.full_name or []
    if (
        len(names) != 1
        or not isinstance(names[0], x509.UniformResourceIdentifier)
        or point.relative_name is not None
        or point.reasons is not None
        or point.crl_issuer is not None
    ):
        raise ProfileViolationError("cRLDistributionPoints", "must be one URI")
    return names[0].value
