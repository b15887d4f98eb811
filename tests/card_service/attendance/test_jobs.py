"""The background roll-up job: missing days computed in bounded rounds, only what is
missing recomputed, and holders busy in an upload left for the next round."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from card_service import maintenance
from card_service.attendance.jobs import RollupJobLimits, keep_rollups_current, rollup_window
from card_service.attendance.kinds import DayStatus
from card_service.attendance.models import AttendanceDay
from card_service.attendance.rollup import ensure_computed
from card_service.attendance.scope import staff_in_unit
from card_service.db import migrate
from card_service.db.engine import Database
from card_service.events.service import ingest_batch
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from tests.card_service.attendance.conftest import Office, vn
from tests.card_service.events.factories import batch, make_holder, make_reader, tap
from tests.support.databases import fresh_postgres_database

NOW = vn(2026, 11, 18, 9)  # a Wednesday morning
TUESDAY = date(2026, 11, 17)
WINDOW_DAYS = 31 + 17  # 1 October to 17 November


def _days(
    session: Session, holder_id: uuid.UUID | None = None
) -> dict[date, tuple[DayStatus, object]]:
    query = select(AttendanceDay.day, AttendanceDay.status, AttendanceDay.computed_at)
    if holder_id is not None:
        query = query.where(AttendanceDay.holder_id == holder_id)
    return {day: (status, computed_at) for day, status, computed_at in session.execute(query)}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AttendanceDay)) or 0


def test_the_window_is_the_previous_month_and_this_one_up_to_yesterday() -> None:
    assert rollup_window(NOW) == (date(2026, 10, 1), TUESDAY)
    assert rollup_window(vn(2026, 12, 1, 8)) == (date(2026, 10, 1), date(2026, 11, 30))
    assert rollup_window(vn(2027, 1, 2, 8)) == (date(2026, 12, 1), date(2027, 1, 1))


def test_rounds_compute_what_is_missing_a_bounded_chunk_at_a_time(
    office: Office, database: Database
) -> None:
    first, second = office.staff
    office.tap(vn(2026, 11, 17, 7, 29), vn(2026, 11, 17, 17, 2), holder=first)
    one_at_a_time = RollupJobLimits(holders_per_transaction=1, transactions_per_round=1)

    rounds = [keep_rollups_current(database, now=NOW, limits=one_at_a_time) for _ in range(3)]

    assert [(r.computed, r.remaining) for r in rounds] == [(1, 1), (1, 0), (0, 0)]
    assert _count(office.session) == 2 * WINDOW_DAYS
    assert _days(office.session, first.id)[TUESDAY][0] is DayStatus.PRESENT
    assert _days(office.session, second.id)[TUESDAY][0] is DayStatus.ABSENT
    # A reader now finds nothing left to compute.
    scope = staff_in_unit(office.unit)
    assert ensure_computed(office.session, scope, date(2026, 11, 1), TUESDAY, now=NOW) == 0


def test_after_a_late_upload_only_the_invalidated_days_are_recomputed(
    office: Office, database: Database
) -> None:
    _, second = office.staff
    keep_rollups_current(database, now=NOW)
    before = _days(office.session, second.id)
    assert before[date(2026, 11, 16)][0] is DayStatus.ABSENT

    later = NOW + timedelta(hours=2)
    office.tap(vn(2026, 11, 16, 7, 25), vn(2026, 11, 16, 17, 5), holder=second, uploaded_at=later)
    round_after = keep_rollups_current(database, now=later)

    after = _days(office.session, second.id)
    assert (round_after.computed, round_after.remaining) == (1, 0)
    assert after[date(2026, 11, 16)][0] is DayStatus.PRESENT
    recomputed = {day for day in after if after[day][1] != before[day][1]}
    assert recomputed == {
        date(2026, 11, 15),
        date(2026, 11, 16),
    }  # the tap's day and the one before
    assert len(after) == WINDOW_DAYS


@pytest.fixture
def committed_database(postgres_admin: str) -> Iterator[Database]:
    """A database of its own: these transactions really commit, side by side."""
    with fresh_postgres_database(postgres_admin) as url:
        database = Database.from_url(url)
        migrate.upgrade(database.engine)
        yield database
        database.dispose()


@pytest.mark.postgresql
def test_a_holder_busy_in_an_upload_is_left_for_the_next_round(
    committed_database: Database,
) -> None:
    with committed_database.transaction() as session:
        unit = create_unit(session, kind=UnitKind.AGENCY, code="SNV", name="Sở Nội vụ")
        reader = make_reader(session, unit)
        holder = make_holder(session, unit, "Trần Văn Bình", "NV009")
        holder_id = holder.id

    # An upload of Tuesday's taps is in progress: its rows hold the holder (KEY SHARE).
    upload = committed_database.sessions()
    upload.begin()
    taps = [
        tap(vn(2026, 11, 17, hour, minute), holder=holder) for hour, minute in ((7, 30), (17, 1))
    ]
    ingest_batch(upload, reader, batch(taps, sent_at=NOW), now=NOW)

    try:
        skipped = keep_rollups_current(committed_database, now=NOW)
        assert (skipped.computed, skipped.remaining) == (0, 1)
    finally:
        upload.commit()
        upload.close()

    done = keep_rollups_current(committed_database, now=NOW)
    assert (done.computed, done.remaining) == (1, 0)
    with committed_database.transaction() as session:
        assert _days(session, holder_id)[TUESDAY][0] is DayStatus.PRESENT


def test_the_maintenance_round_runs_the_job(
    office: Office, database: Database, pki, audit_context, clock
) -> None:
    clock.now = NOW
    maintenance.run_once(database, pki, audit_context, clock)
    assert _count(office.session) == 2 * WINDOW_DAYS
