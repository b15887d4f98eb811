"""Browser sessions of the admin console (card_service.auth.models.BrowserSession).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24

Additive: a new table that no earlier code reads. Like every migration, it spells its
columns out and imports nothing from the application, whose classes change later.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ui_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_ui_sessions_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ui_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_ui_sessions_token_hash"),
    )
    op.create_index("ix_ui_sessions_user_id", "ui_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_ui_sessions_user_id", table_name="ui_sessions")
    op.drop_table("ui_sessions")
