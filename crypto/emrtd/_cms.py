"""CMS SignedData as EF.SOD and CSCA master lists use it: one signer, signed attributes,
the signer's certificate included. Parsing with asn1crypto; signatures with cryptography.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from crypto.errors import VerificationError

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@dataclass(frozen=True)
class VerifiedSignedData:
    """A SignedData whose signature verified under ``signer`` (not yet trusted)."""

    content_type: str
    content: bytes
    signer: x509.Certificate
    certificates: tuple[x509.Certificate, ...]
    signing_time: datetime | None


def load_signed_data(
    der: bytes, *, malformed: type[VerificationError]
) -> tuple[cms.SignedData, str, bytes]:
    """ContentInfo -> SignedData, its eContentType and eContent octets."""
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].dotted != "1.2.840.113549.1.7.2":
            raise malformed("not a CMS SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        content = encap["content"]
        if content.native is None:
            raise malformed("SignedData without encapsulated content")
        return signed, encap["content_type"].dotted, bytes(content.native)
    except (ValueError, TypeError, KeyError) as exc:
        raise malformed(f"CMS structure does not parse: {exc}") from exc


def verify_signed_data(
    signed: cms.SignedData,
    content_type: str,
    content: bytes,
    *,
    malformed: type[VerificationError],
    invalid: type[VerificationError],
) -> VerifiedSignedData:
    """Check the one signer's signed attributes and signature with its own certificate."""
    try:
        certificates = tuple(
            x509.load_der_x509_certificate(choice.chosen.dump())
            for choice in signed["certificates"] or []
            if choice.name == "certificate"
        )
        infos = list(signed["signer_infos"])
    except (ValueError, TypeError) as exc:
        raise malformed(f"certificates in SignedData do not parse: {exc}") from exc
    if len(infos) != 1:
        raise malformed(f"expected one signer, found {len(infos)}")
    info = infos[0]
    signer = _find_signer(info, certificates, malformed)
    attrs = info["signed_attrs"]
    if not attrs or attrs.native is None:
        raise malformed("SignedData without signed attributes")
    values = {attr["type"].native: attr["values"] for attr in attrs}
    digest_name = info["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        raise malformed(f"digest algorithm {digest_name} is not supported")
    if "content_type" not in values or values["content_type"][0].dotted != content_type:
        raise invalid("signed content-type attribute does not match the content")
    digest = hashlib.new(digest_name, content).digest()
    if "message_digest" not in values or not hmac.compare_digest(
        bytes(values["message_digest"][0].native), digest
    ):
        raise invalid("signed message-digest attribute does not match the content")
    signing_time = values["signing_time"][0].native if "signing_time" in values else None
    # The signature covers the attributes DER-encoded as a SET (tag 31), not [0].
    signed_bytes = b"\x31" + attrs.dump()[1:]
    _verify(signer, info, signed_bytes, digest_name, invalid)
    return VerifiedSignedData(content_type, content, signer, certificates, signing_time)


def _find_signer(
    info: cms.SignerInfo,
    certificates: tuple[x509.Certificate, ...],
    malformed: type[VerificationError],
) -> x509.Certificate:
    sid = info["sid"]
    for cert in certificates:
        if sid.name == "issuer_and_serial_number":
            issuer = sid.chosen["issuer"].dump()
            if cert.serial_number == sid.chosen["serial_number"].native and (
                cert.issuer.public_bytes() == issuer
            ):
                return cert
        else:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            except x509.ExtensionNotFound:
                continue
            if ski.value.digest == sid.chosen.native:
                return cert
    raise malformed("the signer's certificate is not in the SignedData")


def _verify(
    signer: x509.Certificate,
    info: cms.SignerInfo,
    data: bytes,
    digest_name: str,
    invalid: type[VerificationError],
) -> None:
    algorithm = info["signature_algorithm"]
    signature = bytes(info["signature"].native)
    key = signer.public_key()
    try:
        kind = algorithm.signature_algo
    except ValueError as exc:
        raise invalid(f"signature algorithm not supported: {exc}") from exc
    try:
        hash_name = algorithm.hash_algo
    except ValueError:
        hash_name = digest_name  # plain rsaEncryption: the digest algorithm applies
    hash_cls = _HASHES.get(hash_name)
    if hash_cls is None:
        raise invalid(f"hash {hash_name} is not supported")
    try:
        if kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hash_cls())
        elif kind == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey):
            params = algorithm["parameters"]
            pss_hash = _HASHES[params["hash_algorithm"]["algorithm"].native]
            salt = int(params["salt_length"].native)
            key.verify(signature, data, padding.PSS(padding.MGF1(pss_hash()), salt), pss_hash())
        elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hash_cls()))
        else:
            raise invalid(f"signature algorithm {kind} does not fit the signer's key")
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, KeyError) as exc:
        raise invalid("the signature does not verify") from exc
