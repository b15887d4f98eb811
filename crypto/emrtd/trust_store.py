"""The CSCA trust store: which Country Signing CAs a reader accepts, and their CRLs.

CSCA certificates enter one at a time (an operator checked the fingerprint out of band)
or from a CSCA master list (ICAO 9303-12 section 9): a CMS SignedData whose signer
certificate must chain to a CSCA the operator already trusts; its signature is verified
before any certificate in it is added. CRLs are accepted only when signed by the CSCA
they name as issuer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.x509.oid import NameOID

from crypto.emrtd._asn1 import OID_CSCA_MASTER_LIST, CscaMasterList
from crypto.emrtd._cms import load_signed_data, verify_signed_data
from crypto.emrtd.errors import MasterListError, RevocationListError


def country_of(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return str(values[0].value).upper() if values else None


def issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s key signed ``child`` and the names chain."""
    try:
        child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


@dataclass
class CscaTrustStore:
    """CSCA certificates and their CRLs. Build it at start-up; it does no I/O."""

    _cscas: list[x509.Certificate] = field(default_factory=list)
    _crls: list[x509.CertificateRevocationList] = field(default_factory=list)

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        return tuple(self._cscas)

    def add_certificate(self, certificate: x509.Certificate | bytes) -> x509.Certificate:
        """Trust one CSCA (DER or a parsed certificate). The caller vouches for it."""
        cert = (
            certificate
            if isinstance(certificate, x509.Certificate)
            else _load_certificate(certificate, MasterListError)
        )
        if country_of(cert.subject) is None:
            raise MasterListError("a CSCA certificate must name its country (C=)")
        if cert not in self._cscas:
            self._cscas.append(cert)
        return cert

    def add_master_list(self, master_list: MasterList) -> int:
        for cert in master_list.certificates:
            self.add_certificate(cert)
        return len(master_list.certificates)

    def add_crl(self, der: bytes) -> x509.CertificateRevocationList:
        """Accept a CRL only if a trusted CSCA with the issuer's name signed it."""
        try:
            crl = x509.load_der_x509_crl(der)
        except ValueError as exc:
            raise RevocationListError(f"CRL does not parse: {exc}") from exc
        for csca in self.issuers_named(crl.issuer):
            if crl.is_signature_valid(csca.public_key()):  # type: ignore[arg-type]
                self._crls.append(crl)
                return crl
        raise RevocationListError("the CRL is not signed by a trusted CSCA")

    def issuers_named(self, name: x509.Name) -> list[x509.Certificate]:
        return [csca for csca in self._cscas if csca.subject == name]

    def crls_for(self, csca: x509.Certificate) -> list[x509.CertificateRevocationList]:
        return [
            crl
            for crl in self._crls
            if crl.issuer == csca.subject and crl.is_signature_valid(csca.public_key())  # type: ignore[arg-type]
        ]


@dataclass(frozen=True)
class MasterList:
    """A master list whose signature verified and whose signer chains to a trusted CSCA."""

    signer: x509.Certificate
    signer_issuer: x509.Certificate
    certificates: tuple[x509.Certificate, ...]
    signing_time: datetime | None


def load_master_list(
    der: bytes, *, anchors: Iterable[x509.Certificate], now: datetime
) -> MasterList:
    """Verify a CSCA master list before any of its content is trusted.

    ``anchors`` are CSCAs the operator trusts already (for a state's own list, its CSCA
    whose fingerprint was checked with the publishing authority). The list signer's
    certificate must be valid at ``now`` and issued by one of them.
    """
    signed, content_type, content = load_signed_data(der, malformed=MasterListError)
    if content_type != OID_CSCA_MASTER_LIST:
        raise MasterListError(f"content type {content_type} is not a CSCA master list")
    verified = verify_signed_data(
        signed, content_type, content, malformed=MasterListError, invalid=MasterListError
    )
    signer = verified.signer
    if not signer.not_valid_before_utc <= now <= signer.not_valid_after_utc:
        raise MasterListError("the master list signer's certificate is not valid now")
    issuer = next((a for a in anchors if issued_by(signer, a)), None)
    if issuer is None:
        raise MasterListError("the master list signer does not chain to a trusted CSCA")
    try:
        parsed = CscaMasterList.load(content, strict=True)
        certificates = tuple(
            x509.load_der_x509_certificate(item.dump()) for item in parsed["cert_list"]
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise MasterListError(f"master list content does not parse: {exc}") from exc
    return MasterList(signer, issuer, certificates, verified.signing_time)


def _load_certificate(der: bytes, error: type[Exception]) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise error(f"certificate does not parse: {exc}") from exc
