"""Passive Authentication (ICAO 9303-11 section 5.1): is the chip's data as issued?

1. The SOD's CMS signature verifies under the Document Signer certificate it carries.
2. The DS certificate was issued by a CSCA in the trust store, and both were valid when
   the SOD was signed (its signing-time attribute, else ``now``).
3. No CRL from that CSCA lists the DS certificate.
4. Every data group read hashes to the value the SOD lists.
5. The document's issuing state (from DG1), the DS's country and the CSCA's agree.

Each failure raises its own ``PassiveAuthenticationError`` subclass.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from crypto.emrtd._cms import verify_signed_data
from crypto.emrtd.countries import alpha2_of
from crypto.emrtd.errors import (
    CertificateValidityError,
    DataGroupHashError,
    IssuingStateMismatchError,
    RevokedCertificateError,
    SodFormatError,
    SodSignatureError,
    UntrustedDocumentSignerError,
)
from crypto.emrtd.sod import parse_sod
from crypto.emrtd.trust_store import CscaTrustStore, country_of, issued_by


class CrlStatus(enum.Enum):
    CHECKED = "checked"  # a current CRL from the CSCA does not list the DS
    STALE = "stale"  # the newest CRL is past its nextUpdate; the DS is not on it
    ABSENT = "absent"  # the store holds no CRL from this CSCA


@dataclass(frozen=True)
class PassiveAuthenticationResult:
    document_signer: x509.Certificate
    csca: x509.Certificate
    country: str
    signing_time: datetime | None
    verified_data_groups: tuple[int, ...]
    crl_status: CrlStatus


def passive_authentication(
    unverified_sod: bytes,
    unverified_data_groups: Mapping[int, bytes],
    trust_store: CscaTrustStore,
    *,
    now: datetime,
    issuing_state: str | None = None,
) -> PassiveAuthenticationResult:
    """Verify the SOD and each given data group; raise on the first failed check.

    ``issuing_state`` is DG1's three-letter code (e.g. ``VNM``); pass it whenever DG1
    was read, so a document cannot borrow another state's signer.
    """
    sod = parse_sod(unverified_sod)
    content_type = "2.23.136.1.1.1"
    signed = verify_signed_data(
        sod.signed_data,
        content_type,
        sod.content,
        malformed=SodFormatError,
        invalid=SodSignatureError,
    )
    ds = signed.signer
    at = signed.signing_time or now
    csca = _issuing_csca(ds, trust_store)
    _check_validity(ds, "Document Signer", at)
    _check_validity(csca, "CSCA", at)
    crl_status = _check_revocation(ds, csca, trust_store, now)
    verified = _check_hashes(sod.digest_algorithm, sod.unverified_hashes, unverified_data_groups)
    country = _check_countries(ds, csca, issuing_state)
    return PassiveAuthenticationResult(ds, csca, country, signed.signing_time, verified, crl_status)


def _issuing_csca(ds: x509.Certificate, store: CscaTrustStore) -> x509.Certificate:
    for csca in store.issuers_named(ds.issuer):
        if issued_by(ds, csca):
            return csca
    raise UntrustedDocumentSignerError(
        f"no trusted CSCA issued the Document Signer ({ds.issuer.rfc4514_string()})"
    )


def _check_validity(cert: x509.Certificate, which: str, at: datetime) -> None:
    if not cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
        raise CertificateValidityError(which, at)


def _check_revocation(
    ds: x509.Certificate, csca: x509.Certificate, store: CscaTrustStore, now: datetime
) -> CrlStatus:
    crls = store.crls_for(csca)
    if not crls:
        return CrlStatus.ABSENT
    for crl in crls:
        if crl.get_revoked_certificate_by_serial_number(ds.serial_number) is not None:
            raise RevokedCertificateError(
                f"the Document Signer (serial {ds.serial_number:x}) is revoked"
            )
    newest = max(crls, key=lambda crl: crl.last_update_utc)
    next_update = newest.next_update_utc
    return CrlStatus.STALE if next_update is not None and next_update < now else CrlStatus.CHECKED


def _check_hashes(
    algorithm: str, listed: Mapping[int, bytes], groups: Mapping[int, bytes]
) -> tuple[int, ...]:
    for number, content in sorted(groups.items()):
        expected = listed.get(number)
        if expected is None:
            raise DataGroupHashError(number, "the SOD lists no hash for it")
        if not hmac.compare_digest(hashlib.new(algorithm, content).digest(), expected):
            raise DataGroupHashError(number, "content does not match the signed hash")
    return tuple(sorted(groups))


def _check_countries(
    ds: x509.Certificate, csca: x509.Certificate, issuing_state: str | None
) -> str:
    csca_country = country_of(csca.subject)
    ds_country = country_of(ds.subject) or country_of(ds.issuer)
    if csca_country is None or ds_country != csca_country:
        raise IssuingStateMismatchError(
            f"Document Signer country {ds_country} differs from CSCA country {csca_country}"
        )
    if issuing_state is not None:
        document_country = alpha2_of(issuing_state)
        if document_country != csca_country:
            raise IssuingStateMismatchError(
                f"the document names issuing state {issuing_state!r} but its CSCA is {csca_country}"
            )
    return csca_country
