"""Writing, checkpointing, reading and verifying the audit log.

Every change of state calls ``record`` inside the transaction that makes the change,
so the entry and the change commit or roll back together. Appends are serialised
(an advisory lock on PostgreSQL; SQLite's write lock does it there) because each entry
hashes its predecessor. The hashing and signing are crypto.audit's; this module only
stores and fetches.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from card_service.audit.models import AuditCheckpoint, AuditEntry
from crypto import audit as chain
from crypto.signers import Signer

# Any constant works; it names "the audit chain head" among advisory locks.
_CHAIN_LOCK_KEY = 0x45434152445F4155  # "ECARD_AU"
_VERIFY_BATCH = 5000


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


def _as_chain_entry(row: AuditEntry) -> chain.AuditEntry:
    return chain.AuditEntry(
        seq=row.seq,
        occurred_at=row.occurred_at,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        data=row.data,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def _last_entry(session: Session) -> AuditEntry | None:
    return session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: uuid.UUID | None,
    data: Mapping[str, Any],
    now: datetime,
) -> AuditEntry:
    """Append one entry (JSON-native ``data`` only). Flushes; the caller commits."""
    _lock_chain(session)
    previous = _last_entry(session)
    entry = chain.append_entry(
        _as_chain_entry(previous) if previous is not None else None,
        occurred_at=now,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=dict(data),
    )
    row = AuditEntry(
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        actor=entry.actor,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        data=dict(entry.data),
        prev_hash=entry.prev_hash,
        entry_hash=entry.entry_hash,
    )
    session.add(row)
    session.flush()
    return row


def checkpoint(session: Session, signer: Signer, *, now: datetime) -> AuditCheckpoint | None:
    """Sign the chain's head unless it is already signed. Returns the new checkpoint."""
    _lock_chain(session)
    head = _last_entry(session)
    if head is None or session.get(AuditCheckpoint, head.seq) is not None:
        return None
    signed = chain.sign_checkpoint(_as_chain_entry(head), signer, now=now)
    row = AuditCheckpoint(
        seq=signed.seq,
        entry_hash=signed.entry_hash,
        signed_at=signed.signed_at,
        key_id=signed.key_id,
        signature=signed.envelope,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


def entry_query(filters: AuditFilter) -> Select[AuditEntry]:
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor == filters.actor)
    if filters.action:
        # "card." matches every card action; "card.revoke" just that one.
        if filters.action.endswith("."):
            query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True))
        else:
            query = query.where(AuditEntry.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.since:
        query = query.where(AuditEntry.occurred_at >= filters.since)
    if filters.until:
        query = query.where(AuditEntry.occurred_at < filters.until)
    return query.order_by(AuditEntry.seq.desc())


_COLUMNS = (
    AuditEntry.seq,
    AuditEntry.occurred_at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.data,
    AuditEntry.prev_hash,
    AuditEntry.entry_hash,
)


def _stored_entries(session: Session) -> Iterator[chain.AuditEntry]:
    # In seq order, in batches of plain rows (not ORM objects), so a long chain is
    # streamed rather than loaded, and the session's identity map stays small.
    last = 0
    while True:
        rows = session.execute(
            select(*_COLUMNS)
            .where(AuditEntry.seq > last)
            .order_by(AuditEntry.seq)
            .limit(_VERIFY_BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            yield chain.AuditEntry(**row._asdict())
        last = rows[-1].seq


def verify(
    session: Session, *, keys: Mapping[str, ec.EllipticCurvePublicKey]
) -> chain.VerifiedChain:
    """Check the whole chain and every checkpoint; raise AuditChainBrokenError if not intact."""
    checkpoints = [row.signature for row in session.scalars(select(AuditCheckpoint))]
    return chain.verify_chain(lambda: _stored_entries(session), checkpoints, keys=keys)
