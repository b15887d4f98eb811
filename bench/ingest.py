"""Events per second through the HTTP batch endpoint, against a raw COPY.

    python -m bench.ingest [--events 200000] [--uploaders 1] [--rounds 3]

Builds a throw-away PostgreSQL database (``BENCH_DATABASE_URL``, default the test
suite's server: tests/support/databases.py), starts the service with uvicorn in a
child process (reader authentication replaced by a fixed reader, as the real reader
JWT check is not the subject here), and measures, round after round so that a busy
machine slows both sides alike:

- copy: the same rows COPYed straight into ``tap_events`` (binary COPY, one stream,
  one transaction);
- api: every batch (1,000 events, JSON) POSTed once, ``--uploaders`` at a time;
- resend: every batch POSTed again (all duplicates, nothing stored).

The table is emptied before each copy and each api pass. Each round prints its own
figures; the last line gives the medians over the rounds:
``ingest: events_per_s=<api> ratio=<api/copy> resend_ratio=<resend/first>``
(resend_ratio compares the times: 1.0 means a re-send costs what the first send did).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx2
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from card_service.db import migrate
from card_service.db.engine import Database
from card_service.events.partitions import add_months, ensure_monthly_partitions, month_start
from tests.support.databases import postgres_admin_url

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BATCH = 1000
HOLDERS = 2000
NOW = datetime.now(UTC).replace(microsecond=0)


def uuid7(at: datetime, rand: int) -> uuid.UUID:
    millis = (at - EPOCH) // timedelta(milliseconds=1)
    return uuid.UUID(int=(millis << 80) | (0x7 << 76) | (0b10 << 62) | (rand & ((1 << 62) - 1)))


def admin_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or postgres_admin_url()
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@contextlib.contextmanager
def bench_database(name: str, *, months: list[date]) -> Iterator[Database]:
    """A migrated database with partitions for ``months``, dropped afterwards."""
    database_name = f"ecard_bench_{name}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database_name}"'))
    url = make_url(admin_url()).set(database=database_name).render_as_string(hide_password=False)
    database = Database.from_url(url)
    try:
        migrate.upgrade(database.engine)
        with database.engine.begin() as connection:
            for month in months:
                at = datetime(month.year, month.month, 1, tzinfo=UTC)
                ensure_monthly_partitions(connection, now=at, months_ahead=1, months_behind=1)
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)'))
        admin.dispose()


def driver_connection(connection: Any) -> Any:
    """The psycopg connection under a SQLAlchemy one (for COPY)."""
    raw = connection.connection.driver_connection
    if raw is None:
        raise RuntimeError("no live database connection")
    return raw


def seed(database: Database) -> tuple[uuid.UUID, list[uuid.UUID], list[uuid.UUID]]:
    """A unit, an attendance reader, holders with one card each."""
    unit, reader = uuid.uuid4(), uuid.uuid4()
    holders = [uuid.uuid4() for _ in range(HOLDERS)]
    cards = [uuid.uuid4() for _ in range(HOLDERS)]
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO org_units (id, kind, code, name, path, created_at) "
                "VALUES (:u, 'agency', 'BENCH', 'Bench', :p, now())"
            ),
            {"u": unit, "p": f"/{unit}/"},
        )
        connection.execute(
            text(
                "INSERT INTO readers (id, name, site_unit_id, location, mode, state, version, "
                "created_at) VALUES (:r, 'bench', :u, 'gate', 'attendance', 'active', 1, now())"
            ),
            {"r": reader, "u": unit},
        )
        connection.execute(
            text(
                "INSERT INTO holders (id, kind, staff_number, full_name, name_folded, unit_id, "
                "active, version, created_at, updated_at) VALUES (:h, 'staff', :n, 'x', 'x', "
                ":u, true, 1, now(), now())"
            ),
            [{"h": h, "n": f"B{i:06d}", "u": unit} for i, h in enumerate(holders)],
        )
        connection.execute(
            text(
                "INSERT INTO cards (id, serial, holder_id, technology, state, version, "
                "created_at, updated_at) VALUES (:c, :s, :h, 'piv', 'active', 1, now(), now())"
            ),
            [
                {"c": c, "s": f"S{i:08d}", "h": h}
                for i, (c, h) in enumerate(zip(cards, holders, strict=True))
            ],
        )
    return reader, holders, cards


def make_events(
    count: int, holders: list[uuid.UUID], cards: list[uuid.UUID]
) -> list[dict[str, Any]]:
    start = NOW - timedelta(days=2)
    events = []
    for n in range(count):
        at = start + timedelta(milliseconds=n * 7)
        who = n % len(holders)
        events.append(
            {
                "id": str(uuid7(at, n)),
                "reader_seq": n,
                "occurred_at": at.isoformat().replace("+00:00", "Z"),
                "card_id": str(cards[who]),
                "holder_id": str(holders[who]),
                "kind": "attendance",
                "decision": "granted",
                "reason": "ok",
            }
        )
    return events


def raw_copy_seconds(database: Database, events: list[dict[str, Any]], reader: uuid.UUID) -> float:
    """The raw limit: the rows, already converted, COPYed in one stream."""
    rows = [
        (
            uuid.UUID(e["id"]),
            datetime.fromisoformat(e["occurred_at"]),
            reader,
            e["reader_seq"],
            uuid.UUID(e["card_id"]),
            uuid.UUID(e["holder_id"]),
            e["kind"],
            e["decision"],
            e["reason"],
            NOW,
            0,
        )
        for e in events
    ]
    empty_tables(database)
    with database.engine.begin() as connection:
        raw = driver_connection(connection)
        start = time.perf_counter()
        with (
            raw.cursor() as cursor,
            cursor.copy(
                "COPY tap_events (id, occurred_at, reader_id, reader_seq, card_id, holder_id, "
                "kind, decision, reason, received_at, clock_offset_ms) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(
                [
                    "uuid",
                    "timestamptz",
                    "uuid",
                    "int8",
                    "uuid",
                    "uuid",
                    "text",
                    "text",
                    "text",
                    "timestamptz",
                    "int4",
                ]
            )
            for row in rows:
                copy.write_row(row)
        return time.perf_counter() - start  # before the commit, as a COPY's own time


def empty_tables(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("TRUNCATE tap_events, attendance_days"))


def serve(url: str, reader: str, port: int) -> None:
    """Child process: the real app, with the upload's reader fixed."""
    import uvicorn  # noqa: PLC0415

    from card_service.app import create_app  # noqa: PLC0415
    from card_service.readers.dependencies import current_reader  # noqa: PLC0415
    from card_service.readers.models import Reader, ReaderState  # noqa: PLC0415
    from card_service.settings import Settings  # noqa: PLC0415
    from reader_protocol.enrolment import ReaderMode  # noqa: PLC0415

    settings = Settings(data_dir=tempfile.mkdtemp(prefix="ecard-bench-"), database_url=url)
    app = create_app(settings, background_tasks=False)
    # What the reader-JWT dependency would hand the route after verifying the token.
    fixed = Reader(id=uuid.UUID(reader), state=ReaderState.ACTIVE, mode=ReaderMode.ATTENDANCE)

    def bench_reader() -> Reader:
        return fixed

    app.dependency_overrides[current_reader] = bench_reader
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server(url: str, reader: uuid.UUID) -> Iterator[str]:
    port = free_port()
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.ingest",
            "--serve",
            url,
            "--reader",
            str(reader),
            "--port",
            str(port),
        ]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx2.HTTPError):
                if httpx2.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield base
    finally:
        child.terminate()
        child.wait(timeout=10)


def post_all(base: str, bodies: list[bytes], uploaders: int) -> tuple[float, int, int]:
    """POST every body, ``uploaders`` at a time (readers upload side by side)."""
    with httpx2.Client(base_url=base, timeout=60) as client:

        def post(body: bytes) -> tuple[int, int]:
            response = client.post(
                "/api/v1/events/batches", content=body, headers={"content-type": "application/json"}
            )
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.text[:500]}")
            result = response.json()
            if result["refused"]:
                raise RuntimeError(f"refused: {result['refused'][:3]}")
            return len(result["stored"]), len(result["duplicates"])

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=uploaders) as pool:
            counts = list(pool.map(post, bodies))
        elapsed = time.perf_counter() - start
    return elapsed, sum(c[0] for c in counts), sum(c[1] for c in counts)


@dataclass(frozen=True)
class Round:
    copy_s: float
    first_s: float
    resend_s: float

    def line(self, number: int, events: int) -> str:
        return (
            f"round {number}: copy_events_per_s={events / self.copy_s:.0f} "
            f"api_events_per_s={events / self.first_s:.0f} ratio={self.copy_s / self.first_s:.2f} "
            f"resend_ratio={self.resend_s / self.first_s:.2f}"
        )


def measure_round(
    database: Database,
    base: str,
    events: list[dict[str, Any]],
    bodies: list[bytes],
    *,
    reader: uuid.UUID,
    uploaders: int,
) -> Round:
    copy_s = raw_copy_seconds(database, events, reader)
    empty_tables(database)
    first_s, stored, _ = post_all(base, bodies, uploaders)
    resend_s, _, duplicates = post_all(base, bodies, uploaders)
    if not stored == duplicates == len(events):
        raise RuntimeError(f"stored {stored}, then {duplicates} duplicates of {len(events)}")
    return Round(copy_s, first_s, resend_s)


def batch_bodies(events: list[dict[str, Any]]) -> list[bytes]:
    sent_at = datetime.now(UTC).isoformat()
    return [
        json.dumps({"sent_at": sent_at, "events": events[i : i + BATCH]}).encode()
        for i in range(0, len(events), BATCH)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--uploaders", type=int, default=1, help="concurrent uploads")
    parser.add_argument("--rounds", type=int, default=3, help="copy/api/resend rounds")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--reader", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.reader, args.port)
        return

    this_month = month_start(NOW)
    months = [add_months(this_month, -1).date(), this_month.date()]
    with bench_database("ingest", months=months) as database:
        reader, holders, cards = seed(database)
        events = make_events(args.events, holders, cards)
        bodies = batch_bodies(events)
        url = database.engine.url.render_as_string(hide_password=False)
        with server(url, reader) as base:
            # Warm-up: connections, the staging table, the route's first call.
            post_all(base, bodies[:5], args.uploaders)
            rounds = []
            for number in range(1, args.rounds + 1):
                rounds.append(
                    measure_round(
                        database, base, events, bodies, reader=reader, uploaders=args.uploaders
                    )
                )
                print(rounds[-1].line(number, len(events)), flush=True)
    api_rate = statistics.median(len(events) / r.first_s for r in rounds)
    ratio = statistics.median(r.copy_s / r.first_s for r in rounds)
    resend_ratio = statistics.median(r.resend_s / r.first_s for r in rounds)
    print(f"ingest: events_per_s={api_rate:.0f} ratio={ratio:.2f} resend_ratio={resend_ratio:.2f}")


if __name__ == "__main__":
    main()
