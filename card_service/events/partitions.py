"""Monthly partitions of tap_events on PostgreSQL, created ahead of time by the service.

A month without a partition is not an error: its events land in the DEFAULT partition
(created by migration 0001). Creating a month's partition later moves those rows into
it in the same transaction, so nothing is lost or stored twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Connection, text

logger = logging.getLogger(__name__)

PARENT = "tap_events"
DEFAULT_PARTITION = "tap_events_default"


def month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def add_months(start: datetime, months: int) -> datetime:
    index = start.year * 12 + (start.month - 1) + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(start: datetime) -> str:
    return f"{PARENT}_y{start.year:04d}m{start.month:02d}"


def existing_partitions(connection: Connection) -> set[str]:
    rows = connection.execute(
        text(
            "SELECT child.relname FROM pg_inherits "
            "JOIN pg_class parent ON pg_inherits.inhparent = parent.oid "
            "JOIN pg_class child ON pg_inherits.inhrelid = child.oid "
            "WHERE parent.relname = :parent"
        ),
        {"parent": PARENT},
    )
    return {row[0] for row in rows}


def ensure_monthly_partitions(
    connection: Connection, *, now: datetime, months_ahead: int, months_behind: int = 1
) -> list[str]:
    """Make sure every month from ``now - months_behind`` to ``now + months_ahead`` has
    its partition. Returns the names created. PostgreSQL only; a no-op elsewhere."""
    if connection.dialect.name != "postgresql":
        return []
    have = existing_partitions(connection)
    created = []
    first = add_months(month_start(now), -months_behind)
    for offset in range(months_behind + months_ahead + 1):
        start = add_months(first, offset)
        name = partition_name(start)
        if name not in have:
            _create_partition(connection, name, start, add_months(start, 1))
            created.append(name)
    if created:
        logger.info("created tap_events partitions: %s", ", ".join(created))
    return created


def _create_partition(connection: Connection, name: str, start: datetime, end: datetime) -> None:
    # Names come from partition_name() (digits only), never from input.
    bounds = {"start": start, "end": end}
    connection.execute(
        text(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    moved = connection.execute(
        text(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} "  # noqa: S608
            "WHERE occurred_at >= :start AND occurred_at < :end RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved"
        ),
        bounds,
    ).rowcount
    # DDL takes no bind parameters; the bounds are our own UTC month starts.
    connection.execute(
        text(
            f"ALTER TABLE {PARENT} ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    )
    if moved:
        logger.warning("moved %d events from the default partition into %s", moved, name)
