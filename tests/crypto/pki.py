"""A small PKI for the crypto tests: root, issuing CA, trust bundle, cards, CRLs."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.card_certificates import CardCertificateProfile, issue_card_certificate
from crypto.issuers import CertificateAuthority, create_root_ca, issue_issuing_ca
from crypto.revocation import RevokedCertificate, build_crl
from crypto.signers import FileSigner, Signer
from crypto.trust import (
    IssuerStatus,
    TrustBundle,
    TrustBundleEntry,
    sign_trust_bundle,
    verify_trust_bundle,
)

NOW = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
ORG = "Ủy ban nhân dân Thành phố Huế"
CRL_URL = "https://ecard.hue.example/crl/issuing-1.crl"
PROFILE = CardCertificateProfile(crl_url=CRL_URL)


@dataclass
class Card:
    der: bytes
    key: ec.EllipticCurvePrivateKey
    card_id: UUID
    holder_id: UUID


@dataclass
class Pki:
    root: CertificateAuthority
    issuing: CertificateAuthority
    bundle_bytes: bytes
    bundle: TrustBundle

    def card(
        self,
        *,
        now: datetime = NOW,
        ca: CertificateAuthority | None = None,
        serial: int | None = None,
        validity: timedelta | None = None,
    ) -> Card:
        key = ec.generate_private_key(ec.SECP256R1())
        card_id, holder_id = uuid4(), uuid4()
        der = issue_card_certificate(
            ca or self.issuing,
            card_id=card_id,
            holder_id=holder_id,
            card_public_key=key.public_key(),
            now=now,
            profile=PROFILE,
            validity=validity,
            serial=serial,
        )
        return Card(der, key, card_id, holder_id)

    def crl(
        self,
        revoked: list[RevokedCertificate] | None = None,
        *,
        number: int = 1,
        this_update: datetime = NOW,
        next_update: datetime | None = None,
        ca: CertificateAuthority | None = None,
    ) -> bytes:
        return build_crl(
            ca or self.issuing,
            revoked or [],
            number=number,
            this_update=this_update,
            next_update=next_update or this_update + timedelta(days=1),
        )

    def issuing_ca(
        self, *, now: datetime = NOW, signer: Signer | None = None
    ) -> CertificateAuthority:
        signer = signer or FileSigner.generate()
        certificate = issue_issuing_ca(
            self.root, signer.public_key, common_name="Issuing CA", organization=ORG, now=now
        )
        return CertificateAuthority(signer, certificate)

    def rebundle(
        self, entries: list[TrustBundleEntry], *, sequence: int, now: datetime = NOW
    ) -> TrustBundle:
        raw = sign_trust_bundle(self.root, entries, sequence=sequence, now=now)
        return verify_trust_bundle(raw, roots=[self.root.certificate], now=now)


def make_pki(now: datetime = NOW, issuing_signer: Signer | None = None) -> Pki:
    root = create_root_ca(
        FileSigner.generate(), common_name="Huế e-card Root CA", organization=ORG, now=now
    )
    signer = issuing_signer or FileSigner.generate()
    issuing = CertificateAuthority(
        signer,
        issue_issuing_ca(
            root,
            signer.public_key,
            common_name="Huế e-card Issuing CA 1",
            organization=ORG,
            now=now,
        ),
    )
    raw = sign_trust_bundle(
        root,
        [TrustBundleEntry(issuing.certificate, IssuerStatus.TRUSTED, now)],
        sequence=1,
        now=now,
    )
    return Pki(root, issuing, raw, verify_trust_bundle(raw, roots=[root.certificate], now=now))


# ------------------------------------------------------------------ OpenSSL, which we did not write


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def openssl(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *arguments], capture_output=True, text=True, check=False)


def openssl_verify(
    directory: Path, pki: Pki, card_der: bytes, *, at: datetime = NOW, crl_der: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    (directory / "root.pem").write_bytes(pem(pki.root.certificate))
    (directory / "issuing.pem").write_bytes(pem(pki.issuing.certificate))
    (directory / "card.der").write_bytes(card_der)
    converted = openssl("x509", "-inform", "DER", "-in", str(directory / "card.der"),
                        "-out", str(directory / "card.pem"))  # fmt: skip
    if converted.returncode != 0:
        return converted
    arguments = ["verify", "-x509_strict", "-attime", str(int(at.timestamp())),
                 "-CAfile", str(directory / "root.pem"),
                 "-untrusted", str(directory / "issuing.pem")]  # fmt: skip
    if crl_der is not None:
        (directory / "crl.der").write_bytes(crl_der)
        openssl("crl", "-inform", "DER", "-in", str(directory / "crl.der"),
                "-out", str(directory / "crl.pem"))  # fmt: skip
        arguments += ["-crl_check", "-CRLfile", str(directory / "crl.pem")]
    return openssl(*arguments, str(directory / "card.pem"))


def openssl_crl_verify(
    directory: Path, issuer: x509.Certificate, crl_der: bytes
) -> subprocess.CompletedProcess[str]:
    (directory / "issuer.pem").write_bytes(pem(issuer))
    (directory / "list.der").write_bytes(crl_der)
    return openssl("crl", "-inform", "DER", "-in", str(directory / "list.der"),
                   "-CAfile", str(directory / "issuer.pem"), "-noout", "-verify")  # fmt: skip


def flip_byte(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def forge_card_certificate(
    issuing: CertificateAuthority,
    public_key: object,
    *,
    card_id: UUID | None = None,
    signing_key: ec.EllipticCurvePrivateKey | None = None,
    authority_key_id: bytes | None = None,
    leave_out: frozenset[x509.ObjectIdentifier] = frozenset(),
    add: tuple[x509.Extension[x509.ExtensionType], ...] = (),
    now: datetime = NOW,
) -> bytes:
    """A card certificate built by hand, bypassing issue_card_certificate's checks."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtensionOID, NameOID

    from crypto import _der
    from crypto.keys import key_id_bytes
    from crypto.oids import HOLDER_ID, PIV_CARD_AUTH
    from crypto.signers import as_private_key

    card_id = card_id or uuid4()
    ski = (
        key_id_bytes(public_key)
        if isinstance(public_key, ec.EllipticCurvePublicKey)
        and isinstance(public_key.curve, ec.SECP256R1)
        else x509.SubjectKeyIdentifier.from_public_key(public_key).digest  # type: ignore[arg-type]
    )
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            True,
        ),
        (x509.ExtendedKeyUsage([PIV_CARD_AUTH]), True),
        (
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(f"urn:uuid:{card_id}")]),
            False,
        ),
        (
            x509.AuthorityKeyIdentifier(
                authority_key_id or key_id_bytes(issuing.signer.public_key), None, None
            ),
            False,
        ),
        (x509.SubjectKeyIdentifier(ski), False),
        (
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(CRL_URL)], None, None, None
                    )
                ]
            ),
            False,
        ),
        (x509.UnrecognizedExtension(HOLDER_ID, _der.octet_string(uuid4().bytes)), False),
    ]
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.SERIAL_NUMBER, str(card_id))]))
        .issuer_name(issuing.name)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(4242)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365))
    )
    for value, critical in extensions:
        if value.oid not in leave_out:
            builder = builder.add_extension(value, critical=critical)
    for extension in add:
        builder = builder.add_extension(extension.value, critical=extension.critical)
    key = signing_key or as_private_key(issuing.signer)
    del ExtensionOID
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
