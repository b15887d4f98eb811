"""Data model v1: units, holders, cards, readers, tap events, users and roles, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Generated with autogenerate, then edited by hand: column types are spelled out here
(migrations never import the service's classes, which may change later), and on
PostgreSQL tap_events is range-partitioned by month with a DEFAULT partition so that
an event whose month has no partition yet is still stored, never refused.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_entries"),
        sa.UniqueConstraint("entry_hash", name="uq_audit_entries_entry_hash"),
    )
    op.create_index("ix_audit_entries_action", "audit_entries", ["action"])
    op.create_index("ix_audit_entries_actor", "audit_entries", ["actor"])
    op.create_index("ix_audit_entries_object_id", "audit_entries", ["object_id"])
    op.create_index("ix_audit_entries_occurred_at", "audit_entries", ["occurred_at"])

    op.create_table(
        "org_units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            _enum("unit_kind", "province", "agency", "department", "service_centre", "counter"),
            nullable=False,
        ),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("path", sa.String(2048), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name="ck_org_units_not_own_parent"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["org_units.id"],
            name="fk_org_units_parent_id_org_units",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_org_units"),
        sa.UniqueConstraint("code", name="uq_org_units_code"),
    )
    op.create_index("ix_org_units_parent_id", "org_units", ["parent_id"])
    op.create_index("ix_org_units_path", "org_units", ["path"])

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )

    op.create_table(
        "holders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", _enum("holder_kind", "staff", "citizen"), nullable=False),
        sa.Column("staff_number", sa.String(32), nullable=True),
        sa.Column("full_name", sa.String(255), nullable=False),
        sa.Column("name_folded", sa.String(255), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.String(255), nullable=True),
        sa.Column("email", sa.String(255), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("photo_ref", sa.String(255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name="fk_holders_unit_id_org_units", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_holders"),
        sa.UniqueConstraint("staff_number", name="uq_holders_staff_number"),
    )
    op.create_index("ix_holders_name_folded", "holders", ["name_folded"])
    op.create_index("ix_holders_unit_id", "holders", ["unit_id"])

    op.create_table(
        "readers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("site_unit_id", sa.Uuid(), nullable=False),
        sa.Column("location", sa.String(255), nullable=False),
        sa.Column(
            "mode",
            _enum("reader_mode", "door", "attendance", "counter", "issuance"),
            nullable=False,
        ),
        sa.Column("public_key_pem", sa.Text(), nullable=True),
        sa.Column(
            "state", _enum("reader_state", "pending", "active", "deregistered"), nullable=False
        ),
        sa.Column("last_heartbeat_at", TS, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["site_unit_id"],
            ["org_units.id"],
            name="fk_readers_site_unit_id_org_units",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_readers"),
    )
    op.create_index("ix_readers_site_unit_id", "readers", ["site_unit_id"])

    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role", _enum("user_role", "admin", "hr", "counter_staff", "auditor"), nullable=False
        ),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_units.id"],
            name="fk_role_assignments_unit_id_org_units",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_role_assignments_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_role_assignments"),
        sa.UniqueConstraint("user_id", "role", "unit_id", name="user_role_unit"),
    )
    op.create_index("ix_role_assignments_unit_id", "role_assignments", ["unit_id"])
    op.create_index("ix_role_assignments_user_id", "role_assignments", ["user_id"])

    op.create_table(
        "cards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("serial", sa.String(32), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("technology", _enum("card_technology", "piv", "qr"), nullable=False),
        sa.Column(
            "state",
            _enum(
                "card_state",
                "requested",
                "personalising",
                "active",
                "suspended",
                "revoked",
                "expired",
            ),
            nullable=False,
        ),
        sa.Column("valid_from", TS, nullable=True),
        sa.Column("valid_until", TS, nullable=True),
        sa.Column("issuer_key_id", sa.String(64), nullable=True),
        sa.Column("certificate_serial", sa.String(64), nullable=True),
        sa.Column("certificate_fingerprint", sa.LargeBinary(32), nullable=True),
        sa.Column("replaced_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name="fk_cards_holder_id_holders", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["cards.id"],
            name="fk_cards_replaced_by_id_cards",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_cards"),
        sa.UniqueConstraint("certificate_fingerprint", name="uq_cards_certificate_fingerprint"),
        sa.UniqueConstraint("certificate_serial", name="uq_cards_certificate_serial"),
        sa.UniqueConstraint("serial", name="uq_cards_serial"),
    )
    op.create_index("ix_cards_holder_id", "cards", ["holder_id"])
    op.create_index("ix_cards_state", "cards", ["state"])

    op.create_table(
        "tap_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("reader_id", sa.Uuid(), nullable=False),
        sa.Column("reader_seq", sa.BigInteger(), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=True),
        sa.Column("holder_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            _enum(
                "tap_kind",
                "door",
                "attendance_in",
                "attendance_out",
                "attendance",
                "counter_sign_in",
                "counter_sign_out",
                "issuance",
            ),
            nullable=False,
        ),
        sa.Column("decision", _enum("tap_decision", "granted", "denied"), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("clock_offset_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["cards.id"], name="fk_tap_events_card_id_cards"),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name="fk_tap_events_holder_id_holders"
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_tap_events_reader_id_readers",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", "occurred_at", name="pk_tap_events"),
        postgresql_partition_by="RANGE (occurred_at)",
    )
    op.create_index("ix_tap_events_holder_occurred", "tap_events", ["holder_id", "occurred_at"])
    op.create_index("ix_tap_events_reader_seq", "tap_events", ["reader_id", "reader_seq"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TABLE tap_events_default PARTITION OF tap_events DEFAULT")


def downgrade() -> None:
    # Partitions (monthly and default) go with their parent table.
    op.drop_table("tap_events")
    op.drop_table("cards")
    op.drop_table("role_assignments")
    op.drop_table("readers")
    op.drop_table("holders")
    op.drop_table("users")
    op.drop_table("org_units")
    op.drop_table("audit_entries")
