"""Readers (enrolment, replay protection, status), access policy, issuance, verification.

Generated, then edited by hand (types spelled out; plain indexes). Additive.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 23:11:14.208961
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

TS = sa.DateTime(timezone=True)


revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("windows", sa.JSON(), nullable=False),
        sa.Column("closed_on_holidays", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_schedules"),
        sa.UniqueConstraint("name", name="uq_access_schedules_name"),
    )
    op.create_table(
        "policy_state",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_policy_state"),
    )
    op.create_table(
        "verification_challenges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("challenge", sa.LargeBinary(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_verification_challenges"),
    )
    op.create_index(
        "ix_verification_challenges_expires_at", "verification_challenges", ["expires_at"]
    )

    op.create_table(
        "access_groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name="fk_access_groups_unit_id_org_units"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_access_groups"),
        sa.UniqueConstraint("name", name="uq_access_groups_name"),
    )
    op.create_index("ix_access_groups_unit_id", "access_groups", ["unit_id"])

    op.create_table(
        "door_groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name="fk_door_groups_unit_id_org_units"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_door_groups"),
        sa.UniqueConstraint("name", name="uq_door_groups_name"),
    )
    op.create_index("ix_door_groups_unit_id", "door_groups", ["unit_id"])

    op.create_table(
        "access_group_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["access_groups.id"],
            name="fk_access_group_members_group_id_access_groups",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"],
            ["holders.id"],
            name="fk_access_group_members_holder_id_holders",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_access_group_members"),
        sa.UniqueConstraint("group_id", "holder_id", name="group_holder"),
    )
    op.create_index("ix_access_group_members_group_id", "access_group_members", ["group_id"])
    op.create_index("ix_access_group_members_holder_id", "access_group_members", ["holder_id"])

    op.create_table(
        "access_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("access_group_id", sa.Uuid(), nullable=False),
        sa.Column("door_group_id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["access_group_id"],
            ["access_groups.id"],
            name="fk_access_rules_access_group_id_access_groups",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["door_group_id"],
            ["door_groups.id"],
            name="fk_access_rules_door_group_id_door_groups",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["access_schedules.id"],
            name="fk_access_rules_schedule_id_access_schedules",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_access_rules"),
    )
    op.create_index("ix_access_rules_access_group_id", "access_rules", ["access_group_id"])
    op.create_index("ix_access_rules_door_group_id", "access_rules", ["door_group_id"])
    op.create_index("ix_access_rules_schedule_id", "access_rules", ["schedule_id"])

    op.create_table(
        "door_group_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("door_group_id", sa.Uuid(), nullable=False),
        sa.Column("reader_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["door_group_id"],
            ["door_groups.id"],
            name="fk_door_group_members_door_group_id_door_groups",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_door_group_members_reader_id_readers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_door_group_members"),
        sa.UniqueConstraint("door_group_id", "reader_id", name="door_group_reader"),
    )
    op.create_index("ix_door_group_members_door_group_id", "door_group_members", ["door_group_id"])
    op.create_index("ix_door_group_members_reader_id", "door_group_members", ["reader_id"])

    op.create_table(
        "reader_enrolments",
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("reader_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_reader_enrolments_reader_id_readers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_reader_enrolments"),
    )
    op.create_index("ix_reader_enrolments_reader_id", "reader_enrolments", ["reader_id"])

    op.create_table(
        "reader_token_uses",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("reader_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_reader_token_uses_reader_id_readers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jti", name="pk_reader_token_uses"),
    )
    op.create_index("ix_reader_token_uses_expires_at", "reader_token_uses", ["expires_at"])

    op.create_table(
        "issuance_nonces",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("reader_id", sa.Uuid(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "possession",
                "activation",
                name="nonce_purpose",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("nonce", sa.LargeBinary(length=32), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["card_id"], ["cards.id"], name="fk_issuance_nonces_card_id_cards"),
        sa.ForeignKeyConstraint(
            ["reader_id"], ["readers.id"], name="fk_issuance_nonces_reader_id_readers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_issuance_nonces"),
    )
    op.create_index("ix_issuance_nonces_card_id", "issuance_nonces", ["card_id"])
    op.create_index("ix_issuance_nonces_session_id", "issuance_nonces", ["session_id"])

    op.add_column("readers", sa.Column("queue_depth", sa.Integer(), nullable=True))
    op.add_column("readers", sa.Column("clock_offset_ms", sa.Integer(), nullable=True))
    op.add_column("readers", sa.Column("crl_numbers", sa.JSON(), nullable=True))
    op.add_column("readers", sa.Column("trust_bundle_sequence", sa.Integer(), nullable=True))
    op.add_column("readers", sa.Column("config_version", sa.Integer(), nullable=True))
    op.add_column("readers", sa.Column("failing_closed", sa.Boolean(), nullable=True))
    op.add_column("readers", sa.Column("agent_version", sa.String(length=64), nullable=True))
    op.add_column("readers", sa.Column("deregistered_at", TS, nullable=True))


def downgrade() -> None:
    # Batch mode: SQLite drops columns by rebuilding the table.
    with op.batch_alter_table("readers") as batch_op:
        for column in (
            "deregistered_at",
            "agent_version",
            "failing_closed",
            "config_version",
            "trust_bundle_sequence",
            "crl_numbers",
            "clock_offset_ms",
            "queue_depth",
        ):
            batch_op.drop_column(column)
    for table in (
        "issuance_nonces",
        "reader_token_uses",
        "reader_enrolments",
        "door_group_members",
        "access_rules",
        "access_group_members",
        "door_groups",
        "access_groups",
        "verification_challenges",
        "policy_state",
        "access_schedules",
    ):
        op.drop_table(table)
