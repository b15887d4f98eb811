"""Importing CSCA material and handing it to counter readers.

``import_material`` takes one file and decides what it is:

- a CSCA **certificate** (DER or PEM): trusted as the operator vouches for it; a note
  (who checked its fingerprint against the issuing state's second channel, and how) is
  required;
- a CSCA **master list** (CMS SignedData, ICAO 9303-12): verified with
  ``crypto.emrtd.load_master_list`` against the anchors the operator names (and the
  CSCAs already trusted) *before* anything is stored; then its certificates are trusted;
- a CSCA **CRL** (DER or PEM): accepted only when a trusted CSCA signed it.

Every import is audited. ``signed_csca_list`` is what ``GET /reader/csca`` serves: all
of it, signed with the key that signs reader configurations, so a counter can keep it
on disk and check it again at start-up.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.csca.errors import CscaImportError
from card_service.csca.models import CscaCertificate, CscaCrl, CscaMasterList
from crypto.documents import sign_document
from crypto.emrtd import CscaTrustStore, load_master_list
from crypto.emrtd.trust_store import country_of
from crypto.errors import VerificationError
from crypto.signers import Signer
from reader_protocol.counter import CSCA_LIST_KIND, CSCA_LIST_VERSION, CscaEntry, CscaList

SOURCE_MASTER_LIST = "master_list"
SOURCE_CERTIFICATE = "certificate"
_PEM = b"-----BEGIN"


@dataclass(frozen=True)
class ImportResult:
    kind: str  # "certificate", "master_list" or "crl"
    fingerprint: str
    added: int  # CSCA certificates (or CRLs) newly trusted; 0 when all were known


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def import_material(
    session: Session,
    data: bytes,
    *,
    anchors: list[x509.Certificate],
    note: str | None,
    actor: str,
    now: datetime,
) -> ImportResult:
    certificate = _certificate(data)
    if certificate is not None:
        return _import_certificate(session, certificate, note=note, actor=actor, now=now)
    crl = _crl(data)
    if crl is not None:
        return _import_crl(session, crl, actor=actor, now=now)
    return _import_master_list(session, data, anchors=anchors, note=note, actor=actor, now=now)


def load_certificate(data: bytes) -> x509.Certificate:
    """An anchor certificate from DER or PEM."""
    certificate = _certificate(data)
    if certificate is None:
        raise CscaImportError("the anchor is not an X.509 certificate (DER or PEM)")
    return certificate


def trust_store(session: Session) -> CscaTrustStore:
    """The trusted CSCAs and their CRLs, as a reader would build them."""
    store = CscaTrustStore()
    for row in session.scalars(select(CscaCertificate).order_by(CscaCertificate.imported_at)):
        store.add_certificate(row.der)
    for crl in session.scalars(select(CscaCrl).order_by(CscaCrl.imported_at)):
        store.add_crl(crl.der)
    return store


def csca_list(session: Session, *, now: datetime) -> CscaList:
    certificates = session.scalars(
        select(CscaCertificate).order_by(CscaCertificate.imported_at, CscaCertificate.fingerprint)
    ).all()
    crls = session.scalars(select(CscaCrl).order_by(CscaCrl.imported_at)).all()
    return CscaList(
        sequence=csca_list_sequence(session),
        issued_at=now,
        cscas=[CscaEntry(certificate=row.der, source=row.source) for row in certificates],
        crls=[row.der for row in crls],
    )


def csca_list_sequence(session: Session) -> int:
    """Grows with every import that adds something. Nothing is ever deleted or edited
    (removing a CSCA is not implemented), so counting the rows is enough."""
    certificates = session.scalar(select(func.count()).select_from(CscaCertificate)) or 0
    crls = session.scalar(select(func.count()).select_from(CscaCrl)) or 0
    return int(certificates) + int(crls)


def signed_csca_list(session: Session, signer: Signer, *, now: datetime) -> bytes:
    content = csca_list(session, now=now).model_dump(mode="json")
    return sign_document(signer, kind=CSCA_LIST_KIND, version=CSCA_LIST_VERSION, content=content)


# ------------------------------------------------------------------ the three kinds


def _import_certificate(
    session: Session, certificate: x509.Certificate, *, note: str | None, actor: str, now: datetime
) -> ImportResult:
    if not note or not note.strip():
        raise CscaImportError(
            "a single CSCA certificate needs --note: who checked its SHA-256 fingerprint "
            "with the issuing authority, when, and over which channel"
        )
    row, added = _trust(
        session,
        certificate,
        source=SOURCE_CERTIFICATE,
        master_list_id=None,
        note=note,
        actor=actor,
        now=now,
    )
    record(
        session,
        actor=actor,
        action="csca.certificate.imported",
        object_type="csca_certificate",
        object_id=row.id,
        data=_describe(certificate) | {"note": note.strip(), "new": added},
        now=now,
    )
    return ImportResult("certificate", row.fingerprint, int(added))


def _import_master_list(
    session: Session,
    der: bytes,
    *,
    anchors: list[x509.Certificate],
    note: str | None,
    actor: str,
    now: datetime,
) -> ImportResult:
    known = [
        x509.load_der_x509_certificate(row.der) for row in session.scalars(select(CscaCertificate))
    ]
    if not anchors and not known:
        raise CscaImportError("a master list needs --anchor: the CSCA that signed its signer")
    try:
        master_list = load_master_list(der, anchors=[*anchors, *known], now=now)
    except VerificationError as exc:
        raise CscaImportError(f"master list refused: {exc}") from exc
    digest = fingerprint(der)
    listed = session.scalar(select(CscaMasterList).where(CscaMasterList.fingerprint == digest))
    if listed is None:
        listed = CscaMasterList(
            fingerprint=digest,
            der=der,
            signer_subject=master_list.signer.subject.rfc4514_string(),
            signing_time=master_list.signing_time,
            certificate_count=len(master_list.certificates),
            note=note.strip() if note else None,
            imported_by=actor,
            imported_at=now,
        )
        session.add(listed)
        session.flush()
    added = 0
    for certificate in master_list.certificates:
        if country_of(certificate.subject) is None:
            continue  # CscaTrustStore refuses a CSCA without a country; so do we
        _, new = _trust(
            session,
            certificate,
            source=SOURCE_MASTER_LIST,
            master_list_id=listed.id,
            note=None,
            actor=actor,
            now=now,
        )
        added += int(new)
    record(
        session,
        actor=actor,
        action="csca.master_list.imported",
        object_type="csca_master_list",
        object_id=listed.id,
        data={
            "fingerprint": digest,
            "signer": listed.signer_subject,
            "certificates": len(master_list.certificates),
            "new": added,
        },
        now=now,
    )
    return ImportResult("master_list", digest, added)


def _import_crl(
    session: Session, crl: x509.CertificateRevocationList, *, actor: str, now: datetime
) -> ImportResult:
    der = crl.public_bytes(Encoding.DER)
    try:
        trust_store(session).add_crl(der)
    except VerificationError as exc:
        raise CscaImportError(f"CRL refused: {exc}") from exc
    digest = fingerprint(der)
    row = session.scalar(select(CscaCrl).where(CscaCrl.fingerprint == digest))
    added = row is None
    if row is None:
        row = CscaCrl(
            fingerprint=digest,
            der=der,
            issuer_subject=crl.issuer.rfc4514_string(),
            this_update=crl.last_update_utc,
            next_update=crl.next_update_utc,
            imported_by=actor,
            imported_at=now,
        )
        session.add(row)
        session.flush()
    record(
        session,
        actor=actor,
        action="csca.crl.imported",
        object_type="csca_crl",
        object_id=row.id,
        data={"fingerprint": digest, "issuer": row.issuer_subject, "new": added},
        now=now,
    )
    return ImportResult("crl", digest, int(added))


# ------------------------------------------------------------------ helpers


def _trust(
    session: Session,
    certificate: x509.Certificate,
    *,
    source: str,
    master_list_id: uuid.UUID | None,
    note: str | None,
    actor: str,
    now: datetime,
) -> tuple[CscaCertificate, bool]:
    der = certificate.public_bytes(Encoding.DER)
    country = country_of(certificate.subject)
    if country is None:
        raise CscaImportError("a CSCA certificate must name its country (C=)")
    digest = fingerprint(der)
    existing = session.scalar(select(CscaCertificate).where(CscaCertificate.fingerprint == digest))
    if existing is not None:
        return existing, False
    row = CscaCertificate(
        fingerprint=digest,
        der=der,
        subject=certificate.subject.rfc4514_string(),
        country=country,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        source=source,
        master_list_id=master_list_id,
        note=note.strip() if note else None,
        imported_by=actor,
        imported_at=now,
    )
    session.add(row)
    session.flush()
    return row, True


def _describe(certificate: x509.Certificate) -> dict[str, str]:
    return {
        "fingerprint": fingerprint(certificate.public_bytes(Encoding.DER)),
        "subject": certificate.subject.rfc4514_string(),
        "not_after": certificate.not_valid_after_utc.isoformat(),
    }


def _certificate(data: bytes) -> x509.Certificate | None:
    try:
        if data.lstrip().startswith(_PEM):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        return None


def _crl(data: bytes) -> x509.CertificateRevocationList | None:
    try:
        if data.lstrip().startswith(_PEM):
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError:
        return None
