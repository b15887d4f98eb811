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
from cryptography.x509.oid import NameOID

from crypto import _card_der, _der
from crypto.errors import IssuanceError, ProfileViolationError
from crypto.issuers import CertificateAuthority, random_serial, to_x509_time
from crypto.keys import key_id_bytes, load_public_key_der, load_public_key_point, require_p256
from crypto.oids import HOLDER_ID, PIV_CARD_AUTH
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
) -> tuple[CardCertificateFacts, _card_der.RawCardCertificate]:
    """``parse_card_certificate`` that also returns the raw fields (TBS, signature, issuer
    name) ``crypto.tap`` verifies."""
    try:
        raw = _card_der.parse(unverified_der)
    except _card_der.NotOurKeyError as exc:
        load_public_key_der(exc.spki)  # says why when it is RSA or another curve
        raise ProfileViolationError(
            "subjectPublicKeyInfo", "must be an uncompressed named-curve P-256 point"
        ) from exc
    # The walk matched the P-256 SubjectPublicKeyInfo prefix byte for byte, so only the
    # point is left to check (on the curve); cheaper than parsing the SPKI again.
    public_key = load_public_key_point(raw.point)
    facts = CardCertificateFacts(
        card_id=raw.card_id,
        holder_id=raw.holder_id,
        serial=raw.serial,
        issuer_key_id=raw.authority_key_id.hex(),
        key_id=raw.key_id.hex(),
        not_before=raw.not_before,
        not_after=raw.not_after,
        public_key=public_key,
        fingerprint=hashlib.sha256(unverified_der).digest(),
        crl_url=raw.crl_url,
    )
    return facts, raw
