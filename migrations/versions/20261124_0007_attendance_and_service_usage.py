"""Attendance (schedules, calendar overrides, leave, day roll-ups, corrections) and
service usage at public-service centres (catalogue, counter sign-ins, counter sessions).

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-24

Generated with autogenerate, then edited by hand: types spelled out, no service
classes imported. New tables only, so old code keeps running during a deploy.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
LEAVE_TYPES = ("annual", "sick", "maternity", "business_trip", "unpaid", "other")
DAY_STATUSES = ("present", "incomplete", "absent", "leave", "off")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    target_table = target.split(".", maxsplit=1)[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{target_table}", ondelete=ondelete
    )


def upgrade() -> None:
    _create_schedules()
    _create_calendar_and_leave()
    _create_corrections_and_days()
    _create_service_usage()


def _create_schedules() -> None:
    op.create_table(
        "work_schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("grace_late_minutes", sa.Integer(), nullable=False),
        sa.Column("grace_early_minutes", sa.Integer(), nullable=False),
        sa.Column("debounce_seconds", sa.Integer(), nullable=False),
        sa.Column("overtime_threshold_minutes", sa.Integer(), nullable=False),
        sa.Column("day_boundary_minute", sa.Integer(), nullable=False),
        sa.Column("corrections_need_approval", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_work_schedules"),
        sa.UniqueConstraint("code", name="uq_work_schedules_code"),
    )
    op.create_table(
        "work_periods",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "end_minute > start_minute AND end_minute <= start_minute + 1440",
            name="ck_work_periods_end_range",
        ),
        sa.CheckConstraint("start_minute BETWEEN 0 AND 1439", name="ck_work_periods_start_range"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_work_periods_weekday_range"),
        _fk("work_periods", "schedule_id", "work_schedules.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_work_periods"),
    )
    op.create_index("ix_work_periods_schedule_id", "work_periods", ["schedule_id"])
    op.create_table(
        "unit_schedules",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        _fk("unit_schedules", "schedule_id", "work_schedules.id", "RESTRICT"),
        _fk("unit_schedules", "unit_id", "org_units.id", "CASCADE"),
        sa.PrimaryKeyConstraint("unit_id", name="pk_unit_schedules"),
    )
    op.create_index("ix_unit_schedules_schedule_id", "unit_schedules", ["schedule_id"])
    op.create_table(
        "shift_assignments",
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        _fk("shift_assignments", "holder_id", "holders.id", "CASCADE"),
        _fk("shift_assignments", "schedule_id", "work_schedules.id", "RESTRICT"),
        sa.PrimaryKeyConstraint("holder_id", "day", name="pk_shift_assignments"),
    )
    op.create_index("ix_shift_assignments_schedule_id", "shift_assignments", ["schedule_id"])


def _create_calendar_and_leave() -> None:
    op.create_table(
        "calendar_overrides",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("kind", _enum("override_kind", "holiday", "workday"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("follows_weekday", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("calendar_overrides", "unit_id", "org_units.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_overrides"),
    )
    op.create_index("ix_calendar_overrides_day", "calendar_overrides", ["day"])
    op.create_table(
        "leave_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("leave_type", _enum("leave_type", *LEAVE_TYPES), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("last_day >= first_day", name="ck_leave_records_day_order"),
        _fk("leave_records", "holder_id", "holders.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_leave_records"),
    )
    op.create_index("ix_leave_records_holder_days", "leave_records", ["holder_id", "first_day"])


def _create_corrections_and_days() -> None:
    op.create_table(
        "attendance_corrections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_in", TS, nullable=True),
        sa.Column("last_out", TS, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "state", _enum("correction_state", "pending", "approved", "rejected"), nullable=False
        ),
        sa.Column("requested_by", sa.String(255), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(255), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        _fk("attendance_corrections", "holder_id", "holders.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_attendance_corrections"),
    )
    op.create_index(
        "ix_attendance_corrections_holder_day", "attendance_corrections", ["holder_id", "day"]
    )
    op.create_table(
        "attendance_days",
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            _enum("day_kind", "workday", "rest_day", "holiday", "compensatory_workday"),
            nullable=False,
        ),
        sa.Column("status", _enum("day_status", *DAY_STATUSES), nullable=False),
        sa.Column("leave_type", _enum("leave_type", *LEAVE_TYPES), nullable=True),
        sa.Column("holiday_name", sa.String(255), nullable=True),
        sa.Column("expected_minutes", sa.Integer(), nullable=False),
        sa.Column("first_in", TS, nullable=True),
        sa.Column("last_out", TS, nullable=True),
        sa.Column("worked_minutes", sa.Integer(), nullable=False),
        sa.Column("late_minutes", sa.Integer(), nullable=False),
        sa.Column("early_leave_minutes", sa.Integer(), nullable=False),
        sa.Column("overtime_minutes", sa.Integer(), nullable=False),
        sa.Column("missing_checkout", sa.Boolean(), nullable=False),
        sa.Column("missing_checkin", sa.Boolean(), nullable=False),
        sa.Column("tap_count", sa.Integer(), nullable=False),
        sa.Column("correction_id", sa.Uuid(), nullable=True),
        sa.Column("original_status", _enum("original_day_status", *DAY_STATUSES), nullable=True),
        sa.Column("original_first_in", TS, nullable=True),
        sa.Column("original_last_out", TS, nullable=True),
        sa.Column("computed_at", TS, nullable=False),
        _fk("attendance_days", "correction_id", "attendance_corrections.id", "SET NULL"),
        _fk("attendance_days", "holder_id", "holders.id", "CASCADE"),
        sa.PrimaryKeyConstraint("holder_id", "day", name="pk_attendance_days"),
    )


def _create_service_usage() -> None:
    op.create_table(
        "service_catalogue",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_catalogue"),
        sa.UniqueConstraint("code", name="uq_service_catalogue_code"),
    )
    op.create_table(
        "counter_sign_ins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("counter_unit_id", sa.Uuid(), nullable=False),
        sa.Column("staff_holder_id", sa.Uuid(), nullable=False),
        sa.Column("signed_in_at", TS, nullable=False),
        sa.Column("signed_out_at", TS, nullable=True),
        _fk("counter_sign_ins", "counter_unit_id", "org_units.id", "RESTRICT"),
        _fk("counter_sign_ins", "staff_holder_id", "holders.id", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_counter_sign_ins"),
    )
    op.create_index(
        "ix_counter_sign_ins_counter_open", "counter_sign_ins", ["counter_unit_id", "signed_out_at"]
    )
    op.create_index("ix_counter_sign_ins_staff_holder_id", "counter_sign_ins", ["staff_holder_id"])
    op.create_table(
        "counter_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sign_in_id", sa.Uuid(), nullable=False),
        sa.Column("centre_unit_id", sa.Uuid(), nullable=False),
        sa.Column("counter_unit_id", sa.Uuid(), nullable=False),
        sa.Column("staff_holder_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("citizen_ref", sa.String(64), nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        _fk("counter_sessions", "centre_unit_id", "org_units.id", "RESTRICT"),
        _fk("counter_sessions", "counter_unit_id", "org_units.id", "RESTRICT"),
        _fk("counter_sessions", "service_id", "service_catalogue.id", "RESTRICT"),
        _fk("counter_sessions", "sign_in_id", "counter_sign_ins.id", "RESTRICT"),
        _fk("counter_sessions", "staff_holder_id", "holders.id", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_counter_sessions"),
    )
    op.create_index(
        "ix_counter_sessions_centre_started", "counter_sessions", ["centre_unit_id", "started_at"]
    )
    op.create_index("ix_counter_sessions_service_id", "counter_sessions", ["service_id"])
    op.create_index("ix_counter_sessions_sign_in_id", "counter_sessions", ["sign_in_id"])


def downgrade() -> None:
    for table in (
        "counter_sessions",
        "counter_sign_ins",
        "service_catalogue",
        "attendance_days",
        "attendance_corrections",
        "leave_records",
        "calendar_overrides",
        "shift_assignments",
        "unit_schedules",
        "work_periods",
        "work_schedules",
    ):
        op.drop_table(table)
