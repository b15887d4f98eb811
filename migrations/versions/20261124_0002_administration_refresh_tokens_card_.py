"""Administration: refresh tokens, card transitions, audit checkpoints, one active card.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Generated, then edited by hand (types spelled out). Additive only (expand): code of
revision 0001 keeps running against it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
CARD_STATES = ("requested", "personalising", "active", "suspended", "revoked", "expired")
REASONS = (
    "requested", "issuance_started", "issued", "issuance_cancelled", "lost", "stolen",
    "damaged", "holder_left", "suspended", "resumed", "administrative", "expired",
)  # fmt: skip


def _enum(name: str, values: Sequence[str]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("signed_at", TS, nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(512), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_checkpoints"),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_refresh_tokens_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_refresh_tokens_token_hash"),
    )
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"])

    op.create_table(
        "card_transitions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("from_state", _enum("card_transition_from", CARD_STATES), nullable=True),
        sa.Column("to_state", _enum("card_transition_to", CARD_STATES), nullable=False),
        sa.Column("reason", _enum("card_transition_reason", REASONS), nullable=False),
        sa.Column("comment", sa.String(500), nullable=True),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name="fk_card_transitions_card_id_cards", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_card_transitions"),
    )
    op.create_index("ix_card_transitions_card_id", "card_transitions", ["card_id"])

    op.create_index(
        "uq_cards_one_active_per_holder",
        "cards",
        ["holder_id", "technology"],
        unique=True,
        sqlite_where=sa.text("state = 'active'"),
        postgresql_where=sa.text("state = 'active'"),
    )


def downgrade() -> None:
    op.drop_index("uq_cards_one_active_per_holder", table_name="cards")
    op.drop_table("card_transitions")
    op.drop_table("refresh_tokens")
    op.drop_table("audit_checkpoints")
