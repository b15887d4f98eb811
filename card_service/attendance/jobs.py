"""Keeping the attendance roll-ups current in the background.

Readers never need this to be correct: they compute missing roll-ups before they read
(``rollup.ensure_computed``). Without it, though, the first timesheet of a big unit
that nobody looked at during the month computes the whole month inside the HTTP
request (docs/performance.md). Called from each maintenance round, this job computes
the days without a roll-up (never computed, or invalidated by a late event or an edit)
of the current and the previous month up to yesterday, for every active staff member:
a bounded number of holders per transaction and of transactions per round, so a round
stays short and a backlog (the first run, a month-end) is worked off over several.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from card_service.attendance.rollup import missing_days, recompute, stale_holders, today
from card_service.attendance.scope import all_staff
from card_service.db.engine import Database

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RollupJobLimits:
    holders_per_transaction: int = 500  # about a second of work each
    transactions_per_round: int = 10


@dataclass(frozen=True)
class RollupRound:
    """What one round did: ``computed`` holders brought up to date, ``remaining`` found
    missing days but not computed this round (over the round's limit, busy elsewhere,
    or computed meanwhile by a reader)."""

    first: date
    last: date
    computed: int
    remaining: int


def rollup_window(now: datetime) -> tuple[date, date]:
    """From the first day of the previous month to yesterday: the months whose
    timesheets people still ask for."""
    yesterday = today(now) - timedelta(days=1)
    previous_month = yesterday.replace(day=1) - timedelta(days=1)
    return previous_month.replace(day=1), yesterday


def keep_rollups_current(
    database: Database, *, now: datetime, limits: RollupJobLimits | None = None
) -> RollupRound:
    """One round of the job; each chunk of holders is its own transaction."""
    limits = limits or RollupJobLimits()
    first, last = rollup_window(now)
    with database.transaction() as session:
        stale = stale_holders(session, all_staff(), first, last)
    size = limits.holders_per_transaction
    computed = 0
    for start in range(0, min(len(stale), size * limits.transactions_per_round), size):
        with database.transaction() as session:
            computed += compute_missing(session, stale[start : start + size], first, last, now=now)
    if stale:
        logger.info(
            "attendance roll-ups: %d of %d holder(s) brought up to date (%s to %s)",
            computed,
            len(stale),
            first,
            last,
        )
    return RollupRound(first, last, computed, len(stale) - computed)


def compute_missing(
    session: Session, holder_ids: Sequence[uuid.UUID], first: date, last: date, *, now: datetime
) -> int:
    """Compute, for each holder, the span from its first to its last missing day
    (usually yesterday alone). Holders another transaction is computing, or uploading
    taps for, are skipped. Returns the number of holders computed."""
    by_span: dict[tuple[date, date], list[uuid.UUID]] = defaultdict(list)
    for holder_id, span in missing_days(session, holder_ids, first, last).items():
        by_span[span].append(holder_id)
    computed = 0
    for (span_first, span_last), ids in sorted(by_span.items()):
        done = recompute(session, sorted(ids), span_first, span_last, now=now, skip_locked=True)
        computed += len(done)
    return computed
