"""Test certificates made directly with ``cryptography`` (crypto/ is not used yet):
an issuer P-256 key and a card-authentication certificate for a card's public key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# SP 800-73-4 / FIPS 201: id-PIV-cardAuth extended key usage.
PIV_CARD_AUTH_EKU = x509.ObjectIdentifier("2.16.840.1.101.3.6.8")
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
CRL_URL = "https://the.e-card.example/api/v1/crl/issuing-ca-2026.crl"


@dataclass(frozen=True)
class Issuer:
    key: ec.EllipticCurvePrivateKey
    name: x509.Name

    @classmethod
    def create(cls, common_name: str = "Huế e-card test issuer") -> Issuer:
        return cls(
            ec.generate_private_key(ec.SECP256R1()),
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Thành phố Huế"),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                ]
            ),
        )

    def card_certificate(
        self,
        public_key: ec.EllipticCurvePublicKey,
        *,
        card_id: uuid.UUID,
        now: datetime = NOW,
    ) -> x509.Certificate:
        # As docs/card-certificate-profile.md: the subject names the card only (the
        # certificate is read without a PIN, so it carries no personal data).
        subject = x509.Name([x509.NameAttribute(NameOID.SERIAL_NUMBER, str(card_id))])
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=5 * 365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([PIV_CARD_AUTH_EKU]), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectAlternativeName([x509.UniformResourceIdentifier(card_id.urn)]),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.CRLDistributionPoints(
                    [
                        x509.DistributionPoint(
                            [x509.UniformResourceIdentifier(CRL_URL)], None, None, None
                        )
                    ]
                ),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)
