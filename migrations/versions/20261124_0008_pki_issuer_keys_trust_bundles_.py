"""PKI: issuer keys, trust bundles, revocation entries and published CRLs.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24

Generated, then edited by hand (types spelled out). Additive only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _issuer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["issuer_key_id"], ["issuer_keys.key_id"], name=f"fk_{table}_issuer_key_id_issuer_keys"
    )


def upgrade() -> None:
    op.create_table(
        "issuer_keys",
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("role", _enum("issuer_role", "root", "issuing"), nullable=False),
        sa.Column("custody_name", sa.String(64), nullable=False),
        sa.Column("certificate_der", sa.LargeBinary(), nullable=False),
        sa.Column(
            "status",
            _enum("issuer_key_status", "trusted", "retired", "compromised"),
            nullable=False,
        ),
        sa.Column("status_since", TS, nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_issuer_keys"),
        sa.UniqueConstraint("custody_name", name="uq_issuer_keys_custody_name"),
    )
    op.create_table(
        "trust_bundles",
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name="pk_trust_bundles"),
    )
    op.create_table(
        "crl_documents",
        sa.Column("issuer_key_id", sa.String(64), nullable=False),
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("base_number", sa.BigInteger(), nullable=True),
        sa.Column("this_update", TS, nullable=False),
        sa.Column("next_update", TS, nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        _issuer_fk("crl_documents"),
        sa.PrimaryKeyConstraint("issuer_key_id", "number", name="pk_crl_documents"),
    )
    op.create_table(
        "crl_state",
        sa.Column("issuer_key_id", sa.String(64), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("base_number", sa.BigInteger(), nullable=False),
        sa.Column("this_update", TS, nullable=False),
        _issuer_fk("crl_state"),
        sa.PrimaryKeyConstraint("issuer_key_id", name="pk_crl_state"),
    )
    op.create_table(
        "revocation_entries",
        sa.Column("issuer_key_id", sa.String(64), nullable=False),
        sa.Column("certificate_serial", sa.String(64), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Integer(), nullable=False),
        sa.Column("revoked_at", TS, nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("changed_in", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name="fk_revocation_entries_card_id_cards"
        ),
        _issuer_fk("revocation_entries"),
        sa.PrimaryKeyConstraint(
            "issuer_key_id", "certificate_serial", name="pk_revocation_entries"
        ),
    )
    op.create_index("ix_revocation_entries_card_id", "revocation_entries", ["card_id"])
    op.create_index("ix_revocation_entries_changed_in", "revocation_entries", ["changed_in"])


def downgrade() -> None:
    op.drop_table("revocation_entries")
    op.drop_table("crl_state")
    op.drop_table("crl_documents")
    op.drop_table("trust_bundles")
    op.drop_table("issuer_keys")
