"""An index on tap_events.received_at, for reading events in the order they arrived.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25

Additive: the console's live taps ask every second for the events received after a
cursor; without the index that is a scan of every partition. On PostgreSQL an index on
the partitioned table is created on each partition, and on the partitions the service
creates later.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_tap_events_received_at", "tap_events", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_tap_events_received_at", table_name="tap_events")
