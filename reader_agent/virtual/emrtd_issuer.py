"""A test document issuer: CSCA, Document Signer, SOD, CRL and a signed CSCA master list.

Only the virtual ID card and the tests use it. It builds the CMS structures ICAO 9303
gives (asn1crypto for the encoding, cryptography for keys and signatures) so Passive
Authentication is exercised against real DER, not a shortcut.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from reader_agent.iso7816.tlv import encode_tlv

OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
OID_CSCA_MASTER_LIST = "2.23.136.1.1.2"
OID_MASTER_LIST_SIGNER_EKU = "2.23.136.1.1.9"


@dataclass(frozen=True)
class Issued:
    """A key and the certificate for it."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


def _name(country: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test issuer (virtual ID card)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_csca(*, country: str, common_name: str, not_before: datetime, days: int = 3650) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(country, common_name)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def make_signer(
    issuer: Issued,
    *,
    country: str,
    common_name: str,
    not_before: datetime,
    days: int = 3650,
    master_list_signer: bool = False,
) -> Issued:
    """A Document Signer (or master list signer) certificate issued by ``issuer``."""
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_ski = issuer.certificate.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier
    ).value
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(country, common_name))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski),
            critical=False,
        )
        .add_extension(_signing_usage(), critical=True)
    )
    if master_list_signer:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(OID_MASTER_LIST_SIGNER_EKU)]),
            critical=False,
        )
    return Issued(key, builder.sign(issuer.key, hashes.SHA256()))


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
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


def _signing_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
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


def _signed_data(
    content_type: str, content: bytes, signer: Issued, signing_time: datetime
) -> bytes:
    digest = hashlib.sha256(content).digest()
    attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": [content_type]}),
            cms.CMSAttribute(
                {"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]}
            ),
            cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
        ]
    )
    signature = signer.key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
    certificate = asn1_x509.Certificate.load(signer.certificate_der())
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {
                            "issuer": certificate.issuer,
                            "serial_number": certificate.serial_number,
                        }
                    )
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": content_type, "content": content},
            "certificates": [certificate],
            "signer_infos": [signer_info],
        }
    )
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())


def build_sod(data_groups: Mapping[int, bytes], signer: Issued, *, signing_time: datetime) -> bytes:
    """EF.SOD (77) over SHA-256 hashes of ``data_groups``."""
    from asn1crypto import core  # noqa: PLC0415 - only this builder needs raw sequences

    hashes_der = b"".join(
        core.Sequence.load(
            encode_tlv(
                0x30,
                encode_tlv(0x02, bytes((number,)))
                + encode_tlv(0x04, hashlib.sha256(content).digest()),
            )
        ).dump()
        for number, content in sorted(data_groups.items())
    )
    algorithm = algos.DigestAlgorithm({"algorithm": "sha256"}).dump()
    version_info = encode_tlv(0x30, encode_tlv(0x13, b"0108") + encode_tlv(0x13, b"040000"))
    lso = encode_tlv(
        0x30,
        encode_tlv(0x02, b"\x01") + algorithm + encode_tlv(0x30, hashes_der) + version_info,
    )
    return encode_tlv(0x77, _signed_data(OID_LDS_SECURITY_OBJECT, lso, signer, signing_time))


def build_master_list(
    certificates: Iterable[x509.Certificate], signer: Issued, *, signing_time: datetime
) -> bytes:
    """A CSCA master list (ICAO 9303-12 section 9) signed by ``signer``."""
    certs = sorted(c.public_bytes(serialization.Encoding.DER) for c in certificates)
    content = encode_tlv(0x30, encode_tlv(0x02, b"\x00") + encode_tlv(0x31, b"".join(certs)))
    return _signed_data(OID_CSCA_MASTER_LIST, content, signer, signing_time)


def build_crl(
    issuer: Issued, revoked_serials: Iterable[int], *, this_update: datetime, days: int = 30
) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(this_update)
        .next_update(this_update + timedelta(days=days))
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(this_update)
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
