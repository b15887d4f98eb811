"""Retention of citizen data in counter sessions (Decree 356/2025: keep no longer than
the purpose needs).

Sessions that started more than the retention period ago (``ECARD_CITIZEN_DATA_
RETENTION_DAYS``, default 365) lose their citizen reference and their verdict reasons.
What the statistics need stays: centre, counter, service, times, whether the chip was
verified, the legal basis. Run by the housekeeping loop and by ``card-service
purge-citizen-data``; idempotent, and audited with the number of sessions purged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.service_usage.models import CounterSession

ACTION = "service_usage.citizen_data.purged"


def purge_citizen_data(session: Session, *, now: datetime, retention: timedelta, actor: str) -> int:
    """Strip citizen data from sessions started before ``now - retention``; returns how
    many sessions were purged (an audit entry records it when there were any)."""
    cutoff = now - retention
    result = session.execute(
        update(CounterSession)
        .where(
            CounterSession.citizen_data_purged_at.is_(None),
            CounterSession.started_at < cutoff,
        )
        .values(citizen_ref=None, verdict_reasons=None, citizen_data_purged_at=now)
        .execution_options(synchronize_session=False)
    )
    purged = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if purged:
        record(
            session,
            actor=actor,
            action=ACTION,
            object_type="counter_sessions",
            object_id=None,
            data={
                "sessions": purged,
                "started_before": cutoff.isoformat(),
                "retention_days": retention.days,
            },
            now=now,
        )
    return purged
