"""Drop ``users.failed_sign_ins`` and ``users.locked_until``: the contract step after 0014.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25

Failed sign-ins have been counted per name in ``sign_in_failures`` since 0014; nothing
reads or writes these two columns (the model no longer maps them). Code from before this
revision still selects them, so its replicas fail once this runs; they already report
not ready (``/readyz``: schema not at their head) and are replaced by the deploy.

On SQLite the columns are dropped in place (``ALTER TABLE ... DROP COLUMN``, SQLite
3.35 or later), not with batch mode: batch mode rebuilds ``users`` and drops the old
copy, and with foreign keys on (the service always turns them on) that drop deletes
every role assignment, refresh token and browser session by cascade. Neither column is
indexed or constrained, which an in-place drop requires.

Spelled out; imports nothing from the application.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
SQLITE_DROP_COLUMN = (3, 35, 0)


def upgrade() -> None:
    dialect = op.get_bind().dialect
    version = tuple(dialect.server_version_info or ())
    if dialect.name == "sqlite" and version < SQLITE_DROP_COLUMN:
        raise RuntimeError(
            f"SQLite {version} cannot drop a column in place; migration 0015 needs 3.35 or "
            "later (rebuilding the users table would delete every role assignment)"
        )
    op.drop_column("users", "locked_until")
    op.drop_column("users", "failed_sign_ins")


def downgrade() -> None:
    # Adding columns needs no rebuild on either database. The server default lets the
    # existing rows have a value; 0014's code writes 0 itself.
    op.add_column(
        "users",
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("users", sa.Column("locked_until", TS, nullable=True))
