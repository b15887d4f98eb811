"""Periodic housekeeping inside the service process: sign audit checkpoints, keep
revocation lists fresh, expire cards whose validity has ended, strip citizen data
from counter sessions older than the retention period, and forget spent one-time values
and stale failed-sign-in counters.

Each task runs in its own transaction and is idempotent, so several replicas may run
them at once (row locks and the audit chain lock serialise the writes).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from card_service.attendance.jobs import keep_rollups_current
from card_service.audit import service as audit
from card_service.audit.context import AuditContext
from card_service.auth.signin import purge_stale_failures
from card_service.cards.service import expire_due_cards
from card_service.clock import Clock
from card_service.db.engine import Database
from card_service.errors import CardServiceError
from card_service.pki import revocations
from card_service.pki.authorities import authority
from card_service.pki.context import PkiContext
from card_service.pki.models import CrlState
from card_service.readers.tokens import purge_token_uses
from card_service.service_usage.retention import purge_citizen_data
from card_service.verification.service import purge_challenges
from crypto.errors import CryptoError

logger = logging.getLogger(__name__)

DEFAULT_CITIZEN_RETENTION = timedelta(days=365)


def refresh_revocation_lists(database: Database, pki: PkiContext, *, now: datetime) -> int:
    """Sign a new complete CRL for every issuer whose newest list is getting old."""
    refreshed = 0
    with database.transaction() as session:
        states = session.scalars(select(CrlState)).all()
        for state in states:
            if now - state.this_update >= pki.crl_refresh:
                revocations.publish_complete(
                    session, pki, authority(session, pki, state.issuer_key_id), now=now
                )
                refreshed += 1
    return refreshed


def run_once(
    database: Database,
    pki: PkiContext,
    audit_context: AuditContext,
    clock: Clock,
    *,
    citizen_retention: timedelta = DEFAULT_CITIZEN_RETENTION,
) -> None:
    now = clock()
    with database.transaction() as session:
        expired = expire_due_cards(session, pki, now=now)
    if expired:
        logger.info("expired %d card(s)", expired)
    refresh_revocation_lists(database, pki, now=now)
    with database.transaction() as session:
        purged = purge_citizen_data(
            session, now=now, retention=citizen_retention, actor="system:retention"
        )
    if purged:
        logger.info("citizen data removed from %d counter session(s) past retention", purged)
    with database.transaction() as session:
        # Single-use ids and challenges only matter until they expire; a failed-sign-in
        # counter only until its observation window ends (most names never come back).
        purge_token_uses(session, now=now)
        purge_challenges(session, now=now)
        purge_stale_failures(session, now=now)
    with database.transaction() as session:
        audit.checkpoint(session, audit_context.signer, now=now)
    # Last: the longest task, in bounded chunks of its own (docs/attendance.md, "Roll-ups").
    keep_rollups_current(database, now=now)


async def run_forever(
    database: Database,
    pki: PkiContext,
    audit_context: AuditContext,
    clock: Clock,
    *,
    citizen_retention: timedelta = DEFAULT_CITIZEN_RETENTION,
) -> None:
    interval = audit_context.interval.total_seconds()
    while True:
        try:
            await asyncio.to_thread(
                lambda: run_once(
                    database, pki, audit_context, clock, citizen_retention=citizen_retention
                )
            )
        except (SQLAlchemyError, CardServiceError, CryptoError):
            # Logged, not fatal: the next round tries again; readiness shows DB trouble.
            logger.exception("maintenance round failed")
        await asyncio.sleep(interval)
