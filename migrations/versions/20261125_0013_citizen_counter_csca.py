"""Citizens at counters: the verdict and legal basis of each counter session, its
retention mark, and the curated CSCA material served to counter readers.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25

Additive (expand): nullable columns on counter_sessions (``manual_check`` with a
server default, so old code that does not name it still inserts), and three new
tables no earlier code reads. Nothing here stores a citizen's name, photo, birth date
or document number. Spelled out; imports nothing from the application.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _session_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("document_type", sa.String(16), nullable=True),
        sa.Column("verdict_pa_ok", sa.Boolean(), nullable=True),
        sa.Column("verdict_chip_auth", sa.String(16), nullable=True),
        sa.Column("verdict_not_expired", sa.Boolean(), nullable=True),
        sa.Column("verdict_accepted", sa.Boolean(), nullable=True),
        sa.Column("verdict_reasons", sa.JSON(), nullable=True),
        sa.Column("manual_check", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("legal_basis", sa.String(32), nullable=True),
        sa.Column("consent_given_at", TS, nullable=True),
        sa.Column("citizen_data_purged_at", TS, nullable=True),
    ]


def upgrade() -> None:
    for column in _session_columns():
        op.add_column("counter_sessions", column)
    op.create_index(
        "ix_counter_sessions_unpurged",
        "counter_sessions",
        ["citizen_data_purged_at", "started_at"],
    )
    _create_csca_tables()


def _create_csca_tables() -> None:
    op.create_table(
        "csca_master_lists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("signer_subject", sa.String(512), nullable=False),
        sa.Column("signing_time", TS, nullable=True),
        sa.Column("certificate_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("imported_by", sa.String(255), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_csca_master_lists"),
        sa.UniqueConstraint("fingerprint", name="uq_csca_master_lists_fingerprint"),
    )
    op.create_table(
        "csca_certificates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("subject", sa.String(512), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("not_before", TS, nullable=False),
        sa.Column("not_after", TS, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("master_list_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("imported_by", sa.String(255), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["master_list_id"],
            ["csca_master_lists.id"],
            name="fk_csca_certificates_master_list_id_csca_master_lists",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_csca_certificates"),
        sa.UniqueConstraint("fingerprint", name="uq_csca_certificates_fingerprint"),
    )
    op.create_index("ix_csca_certificates_master_list_id", "csca_certificates", ["master_list_id"])
    op.create_table(
        "csca_crls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("issuer_subject", sa.String(512), nullable=False),
        sa.Column("this_update", TS, nullable=False),
        sa.Column("next_update", TS, nullable=True),
        sa.Column("imported_by", sa.String(255), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_csca_crls"),
        sa.UniqueConstraint("fingerprint", name="uq_csca_crls_fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("csca_crls")
    op.drop_index("ix_csca_certificates_master_list_id", table_name="csca_certificates")
    op.drop_table("csca_certificates")
    op.drop_table("csca_master_lists")
    op.drop_index("ix_counter_sessions_unpurged", table_name="counter_sessions")
    # SQLite drops columns by rebuilding the table; batch mode does that on both.
    with op.batch_alter_table("counter_sessions") as batch:
        for column in reversed(_session_columns()):
            batch.drop_column(column.name)
