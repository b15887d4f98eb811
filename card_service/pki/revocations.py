"""Keeping each issuing CA's revocation list in step with card states.

Every change (a hold, its release, a revocation) bumps the CA's CRL number and signs a
delta CRL listing all changes since the latest complete CRL, in the caller's
transaction. A new complete CRL is signed when the delta would grow past the limit,
when the newest list is older than the refresh interval, and at set-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from card_service.pki.context import PkiContext
from card_service.pki.errors import CrlNotFoundError, PkiNotInitialisedError
from card_service.pki.models import CrlDocument, CrlState, RevocationEntry
from crypto.issuers import CertificateAuthority
from crypto.revocation import (
    RevocationReason,
    RevokedCertificate,
    build_crl,
    build_delta_crl,
)

_BATCH = 10_000


def serial_text(serial: int) -> str:
    """Certificate serials as stored and shown: upper-case hex, as OpenSSL prints them."""
    return f"{serial:X}"


def start_numbering(
    session: Session, context: PkiContext, ca: CertificateAuthority, *, now: datetime
) -> CrlDocument:
    """CRL number 1 of a new issuing CA: a complete, empty list."""
    session.add(CrlState(issuer_key_id=ca.key_id, number=0, base_number=0, this_update=now))
    session.flush()
    return publish_complete(session, context, ca, now=now)


def _locked_state(session: Session, issuer_key_id: str) -> CrlState:
    state = session.scalar(
        select(CrlState).where(CrlState.issuer_key_id == issuer_key_id).with_for_update()
    )
    if state is None:
        raise PkiNotInitialisedError(f"no revocation list for issuer {issuer_key_id}")
    return state


def record_change(
    session: Session,
    context: PkiContext,
    ca: CertificateAuthority,
    *,
    card_id: object,
    serial: int,
    reason: RevocationReason | None,
    now: datetime,
) -> CrlDocument:
    """Put ``serial`` on the list with ``reason`` (None: take it off, a released hold)
    and publish the next CRL. Returns the signed document."""
    state = _locked_state(session, ca.key_id)
    number = state.number + 1
    key = (ca.key_id, serial_text(serial))
    entry = session.get(RevocationEntry, key, with_for_update=True)
    if reason is None:
        if entry is None or entry.removed:
            return _latest(session, ca.key_id)
        entry.removed = True
        entry.changed_in = number
    elif entry is None:
        session.add(
            RevocationEntry(
                issuer_key_id=ca.key_id,
                certificate_serial=key[1],
                card_id=card_id,
                reason=int(reason),
                revoked_at=now,
                removed=False,
                changed_in=number,
            )
        )
    else:
        entry.reason = int(reason)
        entry.revoked_at = now
        entry.removed = False
        entry.changed_in = number
    session.flush()
    changes = _count(session, ca.key_id, since=state.base_number)
    if changes > context.delta_limit:
        return publish_complete(session, context, ca, now=now)
    return _publish_delta(session, context, ca, state, now=now)


def _publish_delta(
    session: Session,
    context: PkiContext,
    ca: CertificateAuthority,
    state: CrlState,
    *,
    now: datetime,
) -> CrlDocument:
    number = state.number + 1
    changes = [_as_change(row) for row in _rows(session, ca.key_id, since=state.base_number)]
    der = build_delta_crl(
        ca,
        changes,
        number=number,
        base_number=state.base_number,
        this_update=now,
        next_update=now + context.crl_validity,
    )
    return _store(
        session,
        state,
        ca.key_id,
        number,
        base_number=state.base_number,
        der=der,
        entries=len(changes),
        now=now,
        context=context,
    )


def publish_complete(
    session: Session, context: PkiContext, ca: CertificateAuthority, *, now: datetime
) -> CrlDocument:
    """Sign a complete CRL of every certificate currently on the list."""
    state = _locked_state(session, ca.key_id)
    number = state.number + 1
    revoked = [_as_change(row) for row in _rows(session, ca.key_id, since=None) if not row.removed]
    der = build_crl(
        ca, revoked, number=number, this_update=now, next_update=now + context.crl_validity
    )
    state.base_number = number
    return _store(
        session,
        state,
        ca.key_id,
        number,
        base_number=None,
        der=der,
        entries=len(revoked),
        now=now,
        context=context,
    )


def _store(
    session: Session,
    state: CrlState,
    issuer_key_id: str,
    number: int,
    *,
    base_number: int | None,
    der: bytes,
    entries: int,
    now: datetime,
    context: PkiContext,
) -> CrlDocument:
    state.number = number
    state.this_update = now
    document = CrlDocument(
        issuer_key_id=issuer_key_id,
        number=number,
        base_number=base_number,
        this_update=now,
        next_update=now + context.crl_validity,
        der=der,
        entries=entries,
    )
    session.add(document)
    session.flush()
    return document


def _as_change(row: RevocationEntry) -> RevokedCertificate:
    reason = RevocationReason.REMOVE_FROM_CRL if row.removed else RevocationReason(row.reason)
    return RevokedCertificate(int(row.certificate_serial, 16), row.revoked_at, reason)


def _rows(session: Session, issuer_key_id: str, *, since: int | None) -> Iterable[RevocationEntry]:
    query = select(RevocationEntry).where(RevocationEntry.issuer_key_id == issuer_key_id)
    if since is not None:
        query = query.where(RevocationEntry.changed_in > since)
    return session.scalars(query.order_by(RevocationEntry.certificate_serial)).yield_per(_BATCH)


def _count(session: Session, issuer_key_id: str, *, since: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RevocationEntry)
            .where(
                RevocationEntry.issuer_key_id == issuer_key_id, RevocationEntry.changed_in > since
            )
        )
        or 0
    )


def _latest(session: Session, issuer_key_id: str) -> CrlDocument:
    document = session.scalar(
        select(CrlDocument)
        .where(CrlDocument.issuer_key_id == issuer_key_id)
        .order_by(CrlDocument.number.desc())
        .limit(1)
    )
    if document is None:
        raise PkiNotInitialisedError(f"no CRL for issuer {issuer_key_id}")
    return document


def latest_document(session: Session, issuer_key_id: str) -> CrlDocument:
    return _latest(session, issuer_key_id)


def latest_complete(session: Session, issuer_key_id: str) -> CrlDocument:
    document = session.scalar(
        select(CrlDocument)
        .where(CrlDocument.issuer_key_id == issuer_key_id, CrlDocument.base_number.is_(None))
        .order_by(CrlDocument.number.desc())
        .limit(1)
    )
    if document is None:
        raise PkiNotInitialisedError(f"no complete CRL for issuer {issuer_key_id}")
    return document


def crl_this_update(session: Session, issuer_key_id: str, number: int) -> datetime:
    """When an issuer's CRL ``number`` was signed (its thisUpdate): the age of the list a
    reader reports holding. CrlNotFoundError when no such list was published."""
    this_update = session.scalar(
        select(CrlDocument.this_update).where(
            CrlDocument.issuer_key_id == issuer_key_id, CrlDocument.number == number
        )
    )
    if this_update is None:
        raise CrlNotFoundError(f"no CRL number {number} of issuer {issuer_key_id}")
    return this_update


def crl_this_updates(
    session: Session, wanted: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], datetime]:
    """``crl_this_update`` for many (issuer, number) pairs in one query, for a page of
    readers; pairs naming no published list are left out."""
    pairs = set(wanted)
    if not pairs:
        return {}
    rows = session.execute(
        select(CrlDocument.issuer_key_id, CrlDocument.number, CrlDocument.this_update).where(
            or_(
                *(
                    and_(CrlDocument.issuer_key_id == issuer, CrlDocument.number == number)
                    for issuer, number in sorted(pairs)
                )
            )
        )
    )
    return {(issuer, number): this_update for issuer, number, this_update in rows}
