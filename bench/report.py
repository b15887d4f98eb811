"""The monthly timesheet of a big unit, against a plain first-in/last-out GROUP BY.

    python -m bench.report [--holders 40000] [--no-job]

Builds a throw-away PostgreSQL database (``BENCH_DATABASE_URL``, default the test
suite's server: tests/support/databases.py), loads four taps per holder per working
day of September 2026 with COPY (40,000 holders: about 3.5 million events), then times:

- cold: the first ``monthly_timesheet`` of the root unit with no roll-up computed yet
  (nobody looked during the month and no background job ran): it computes every
  roll-up of the month inside the request;
- report (best of three): ``monthly_timesheet`` again, roll-ups computed, as the API
  builds it;
- groupby (best of three): ``SELECT holder_id, local day, min, max ... GROUP BY`` over
  the raw events, every row fetched;
- job (unless ``--no-job``): the roll-ups emptied, the background job
  (``attendance.jobs.keep_rollups_current``, default limits) run round after round
  until nothing is missing, then the timesheet once more.

The ratio compares the report with computed roll-ups (what users get while the job
runs) to the GROUP BY; the cold line says what the first request would cost without
the job. Last line: ``report: seconds=<n> ratio=<report/groupby>``.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.ingest import bench_database, driver_connection, uuid7
from card_service.attendance.jobs import keep_rollups_current
from card_service.attendance.timesheet import month_days, monthly_timesheet
from card_service.db.engine import Database
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.orgunits.service import create_unit, unit_by_code

YEAR, MONTH = 2026, 9
NOW = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
UNITS = 40
MAX_JOB_ROUNDS = 1000
GROUP_BY = """
SELECT holder_id, (occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
       min(occurred_at), max(occurred_at)
FROM tap_events
WHERE occurred_at >= :start AND occurred_at < :end AND decision = 'granted'
GROUP BY 1, 2
"""


def unit_of(session: Session) -> OrgUnit:
    return unit_by_code(session, "BENCH")


def seed(session: Session, holders: int) -> uuid.UUID:
    """The unit tree, the holders (COPY) and one reader; returns the reader's id."""
    root = create_unit(session, kind=UnitKind.PROVINCE, code="BENCH", name="Thành phố Huế")
    units = [
        create_unit(session, kind=UnitKind.AGENCY, code=f"U{n:03d}", name=f"Sở {n}", parent=root)
        for n in range(UNITS)
    ]
    raw = driver_connection(session.connection())
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY holders (id, kind, staff_number, full_name, name_folded, unit_id, active, "
            "version, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(holders):
                copy.write_row(
                    (
                        uuid.uuid4(),
                        "staff",
                        f"NV{n:06d}",
                        f"Cán bộ {n}",
                        f"can bo {n}",
                        units[n % UNITS].id,
                        True,
                        1,
                        NOW,
                        NOW,
                    )
                )
        reader = uuid.uuid4()
        cursor.execute(
            "INSERT INTO readers (id, name, site_unit_id, location, mode, state, version, "
            "created_at) VALUES (%s, 'bench', %s, 'gate', 'attendance', 'active', 1, %s)",
            (reader, root.id, NOW),
        )
    return reader


def load_events(session: Session, reader: uuid.UUID, *, seed_value: int = 7) -> int:
    """Four taps per holder per weekday: in, lunch out, lunch in, out, with jitter."""
    rng = random.Random(seed_value)
    holder_ids = [row[0] for row in session.execute(text("SELECT id FROM holders"))]
    raw = driver_connection(session.connection())
    count = 0
    with (
        raw.cursor() as cursor,
        cursor.copy(
            "COPY tap_events (id, occurred_at, reader_id, reader_seq, holder_id, kind, decision, "
            "reason, received_at, clock_offset_ms) FROM STDIN (FORMAT BINARY)"
        ) as copy,
    ):
        copy.set_types(
            [
                "uuid",
                "timestamptz",
                "uuid",
                "int8",
                "uuid",
                "text",
                "text",
                "text",
                "timestamptz",
                "int4",
            ]
        )
        for day in month_days(YEAR, MONTH):
            if day.weekday() >= 5:
                continue
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=7)
            for holder in holder_ids:
                for base in (
                    7 * 3600 + 20 * 60,
                    11 * 3600 + 35 * 60,
                    13 * 3600 + 20 * 60,
                    17 * 3600 + 5 * 60,
                ):
                    moment = midnight + timedelta(seconds=base + rng.randint(-900, 900))
                    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
                    count += 1
                    copy.write_row(
                        (
                            uuid7(moment, count),
                            moment,
                            reader,
                            count,
                            holder,
                            "attendance",
                            "granted",
                            "ok",
                            moment,
                            0,
                        )
                    )
    session.execute(text("ANALYZE tap_events"))
    return count


def best_of(runs: int, action: Callable[[], None]) -> float:
    return min(timed(action) for _ in range(runs))


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run_job(database: Database) -> tuple[int, float, float]:
    """Rounds of the background job until no roll-up is missing: (rounds, total seconds,
    longest round)."""
    rounds: list[float] = []
    while True:
        started = time.perf_counter()
        progress = keep_rollups_current(database, now=NOW)
        rounds.append(time.perf_counter() - started)
        if progress.remaining == 0:
            return len(rounds), sum(rounds), max(rounds)
        if len(rounds) > MAX_JOB_ROUNDS:
            raise RuntimeError(f"the job has not caught up after {len(rounds)} rounds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holders", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-job", action="store_true", help="skip timing the background job")
    args = parser.parse_args()

    with bench_database(
        "report", months=[date(YEAR, MONTH, 1), date(YEAR, MONTH + 1, 1)]
    ) as database:
        with database.transaction() as session:
            reader = seed(session, args.holders)
            started = time.perf_counter()
            events = load_events(session, reader)
            print(f"loaded {events} events in {time.perf_counter() - started:.1f} s")
        start = datetime(YEAR, MONTH, 1, tzinfo=UTC) - timedelta(hours=7)
        end = datetime(YEAR, MONTH + 1, 1, tzinfo=UTC) - timedelta(hours=7)

        def report() -> None:
            with database.transaction() as session:
                sheet = monthly_timesheet(session, unit_of(session), YEAR, MONTH, now=NOW)
                if len(sheet.rows) != args.holders:
                    raise RuntimeError(f"{len(sheet.rows)} rows for {args.holders} holders")

        def group_by() -> None:
            with database.transaction() as session:
                if not session.execute(text(GROUP_BY), {"start": start, "end": end}).all():
                    raise RuntimeError("the GROUP BY found no events")

        cold_s = timed(report)  # computes every roll-up of the month in the request
        with database.transaction() as session:
            session.execute(text("ANALYZE attendance_days"))
        report_s = best_of(args.runs, report)
        group_s = best_of(args.runs, group_by)
        days = len(month_days(YEAR, MONTH))
        print(
            f"cold: seconds={cold_s:.2f} ratio={cold_s / group_s:.2f} "
            f"({args.holders} holders x {days} days computed in the request)"
        )
        if not args.no_job:
            with database.transaction() as session:
                session.execute(text("TRUNCATE attendance_days"))
            rounds, job_s, longest_s = run_job(database)
            after_s = timed(report)
            print(
                f"job: rounds={rounds} seconds={job_s:.1f} longest_round_s={longest_s:.1f} "
                f"then report seconds={after_s:.2f}"
            )
        print(f"groupby: seconds={group_s:.2f}")
        print(f"report: seconds={report_s:.2f} ratio={report_s / group_s:.2f}")


if __name__ == "__main__":
    main()
