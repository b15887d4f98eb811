"""Setting up and finding the service's CAs and trust bundle."""

from __future__ import annotations

import secrets
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.pki import revocations
from card_service.pki.context import PkiContext
from card_service.pki.errors import PkiNotInitialisedError
from card_service.pki.models import (
    IssuerKey,
    IssuerKeyStatus,
    IssuerRole,
    TrustBundleRecord,
)
from crypto.issuers import CertificateAuthority, create_root_ca, issue_issuing_ca
from crypto.keys import key_id, require_p256
from crypto.trust import IssuerStatus, TrustBundleEntry, sign_trust_bundle


def is_initialised(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(IssuerKey)) != 0


def initialise(session: Session, context: PkiContext, *, now: datetime) -> bool:
    """Create a root CA, an issuing CA, trust bundle 1 and an empty CRL, once.

    In this demo form the root key sits in the service's custody. A production
    ceremony creates the root offline and imports only its certificate and the signed
    bundle (docs/key-custody.md). Returns False when the PKI already exists.
    """
    if is_initialised(session):
        return False
    stamp = f"{now:%Y%m%d}-{secrets.token_hex(3)}"  # unique even if set up twice a day
    root = create_root_ca(
        context.custody.create(f"root-ca-{stamp}"),
        common_name="Huế e-card Root CA",
        organization=context.organization,
        now=now,
    )
    issuing_signer = context.custody.create(f"issuing-ca-{stamp}")
    issuing_certificate = issue_issuing_ca(
        root,
        issuing_signer.public_key,
        common_name=f"Huế e-card Issuing CA {now:%Y}",
        organization=context.organization,
        now=now,
    )
    session.add_all(
        [
            _issuer_row(root.certificate, IssuerRole.ROOT, f"root-ca-{stamp}", now),
            _issuer_row(
                issuing_certificate, IssuerRole.ISSUING, f"issuing-ca-{stamp}", now, current=True
            ),
        ]
    )
    session.flush()
    publish_trust_bundle(session, context, now=now)
    revocations.start_numbering(
        session, context, CertificateAuthority(issuing_signer, issuing_certificate), now=now
    )
    record(
        session,
        actor="system:pki-init",
        action="pki.initialised",
        object_type="issuer",
        object_id=None,
        data={"root": root.key_id, "issuing": issuing_signer.key_id},
        now=now,
    )
    return True


def _issuer_row(
    certificate: x509.Certificate,
    role: IssuerRole,
    custody_name: str,
    now: datetime,
    *,
    current: bool = False,
) -> IssuerKey:
    return IssuerKey(
        key_id=key_id(require_p256(certificate.public_key())),
        role=role,
        custody_name=custody_name,
        certificate_der=certificate.public_bytes(serialization.Encoding.DER),
        status=IssuerKeyStatus.TRUSTED,
        status_since=now,
        current=current,
        created_at=now,
    )


def authority(session: Session, context: PkiContext, key_id: str) -> CertificateAuthority:
    row = session.get(IssuerKey, key_id)
    if row is None:
        raise PkiNotInitialisedError(f"no CA with key id {key_id}")
    return CertificateAuthority(
        context.custody.get(row.custody_name), x509.load_der_x509_certificate(row.certificate_der)
    )


def current_issuing_ca(session: Session, context: PkiContext) -> CertificateAuthority:
    row = session.scalar(
        select(IssuerKey).where(IssuerKey.role == IssuerRole.ISSUING, IssuerKey.current.is_(True))
    )
    if row is None:
        raise PkiNotInitialisedError("no current issuing CA; run `card-service pki-init`")
    return authority(session, context, row.key_id)


def root_certificates(session: Session) -> list[x509.Certificate]:
    rows = session.scalars(select(IssuerKey).where(IssuerKey.role == IssuerRole.ROOT))
    return [x509.load_der_x509_certificate(row.certificate_der) for row in rows]


def publish_trust_bundle(session: Session, context: PkiContext, *, now: datetime) -> int:
    """Have the root sign the current list of issuing CAs as the next bundle."""
    root_row = session.scalar(select(IssuerKey).where(IssuerKey.role == IssuerRole.ROOT))
    if root_row is None:
        raise PkiNotInitialisedError("no root CA")
    root = authority(session, context, root_row.key_id)
    entries = [
        TrustBundleEntry(
            certificate=x509.load_der_x509_certificate(row.certificate_der),
            status=IssuerStatus(row.status.value),
            since=row.status_since,
        )
        for row in session.scalars(select(IssuerKey).where(IssuerKey.role == IssuerRole.ISSUING))
    ]
    sequence = (session.scalar(select(func.max(TrustBundleRecord.sequence))) or 0) + 1
    envelope = sign_trust_bundle(root, entries, sequence=sequence, now=now)
    session.add(TrustBundleRecord(sequence=sequence, issued_at=now, envelope=envelope))
    session.flush()
    return sequence


def latest_trust_bundle(session: Session) -> TrustBundleRecord:
    record = session.scalar(
        select(TrustBundleRecord).order_by(TrustBundleRecord.sequence.desc()).limit(1)
    )
    if record is None:
        raise PkiNotInitialisedError("no trust bundle has been published")
    return record
