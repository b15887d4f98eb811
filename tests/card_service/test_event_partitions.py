"""Monthly tap-event partitions on PostgreSQL; a no-op on SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, text

from card_service.db.engine import make_engine
from card_service.events.partitions import (
    DEFAULT_PARTITION,
    add_months,
    ensure_monthly_partitions,
    existing_partitions,
    month_start,
    partition_name,
)


def test_month_arithmetic_crosses_year_ends() -> None:
    start = month_start(datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert start == datetime(2026, 12, 1, tzinfo=UTC)
    assert add_months(start, 1) == datetime(2027, 1, 1, tzinfo=UTC)
    assert add_months(start, -12) == datetime(2025, 12, 1, tzinfo=UTC)
    assert partition_name(add_months(start, 2)) == "tap_events_y2027m02"


def test_sqlite_has_no_partitions(sqlite_database_url: str) -> None:
    engine = make_engine(sqlite_database_url)
    with engine.begin() as connection:
        assert ensure_monthly_partitions(connection, now=datetime.now(UTC), months_ahead=3) == []
    engine.dispose()


def _insert_event_row(connection: Connection, occurred_at: datetime) -> uuid.UUID:
    unit, reader, event = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    connection.execute(
        text(
            "INSERT INTO org_units (id, kind, code, name, path, created_at) "
            "VALUES (:u, 'province', :code, 'x', '/', now())"
        ),
        {"u": unit, "code": f"P-{unit.hex[:8]}"},
    )
    connection.execute(
        text(
            "INSERT INTO readers (id, name, site_unit_id, location, mode, state, version, "
            "created_at) VALUES (:r, 'r', :u, 'door', 'door', 'active', 1, now())"
        ),
        {"r": reader, "u": unit},
    )
    connection.execute(
        text(
            "INSERT INTO tap_events (id, occurred_at, reader_id, reader_seq, kind, decision, "
            "reason, received_at, clock_offset_ms) "
            "VALUES (:e, :t, :r, 1, 'door', 'granted', 'ok', now(), 0)"
        ),
        {"e": event, "t": occurred_at, "r": reader},
    )
    return event


@pytest.mark.postgresql
def test_creating_a_month_moves_its_rows_out_of_the_default_partition(
    pg_connection: Connection,
) -> None:
    connection = pg_connection
    long_ago = datetime(2019, 3, 15, 8, 0, tzinfo=UTC)
    event = _insert_event_row(connection, long_ago)
    in_default = text(f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE id = :e")  # noqa: S608
    assert connection.scalar(in_default, {"e": event}) == 1

    created = ensure_monthly_partitions(connection, now=long_ago, months_ahead=0, months_behind=0)

    assert created == ["tap_events_y2019m03"]
    assert "tap_events_y2019m03" in existing_partitions(connection)
    assert connection.scalar(in_default, {"e": event}) == 0
    moved = text("SELECT count(*) FROM tap_events_y2019m03 WHERE id = :e")
    assert connection.scalar(moved, {"e": event}) == 1
    # Running it again is a no-op.
    assert (
        ensure_monthly_partitions(connection, now=long_ago, months_ahead=0, months_behind=0) == []
    )
