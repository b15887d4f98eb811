"""Administration without the demo seed: versions (ETags) on units and users, the unit
that manages each account, the unit that owns each access schedule, and failed-sign-in
counters for every username.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25

Additive (expand): new nullable or defaulted columns and one new table; old code that
does not name them keeps working. ``users.failed_sign_ins`` and ``users.locked_until``
are no longer read (the counters moved to ``sign_in_failures``); a later migration may
drop them. Existing rows are given an owner here:

- a user: the deepest unit that contains every unit they hold a role in (None when their
  roles span several roots, or they hold none: only an installation-wide administrator
  manages such an account);
- a schedule: the deepest unit that contains the door groups of every rule using it
  (None when no rule uses it: installation-wide).

Spelled out; imports nothing from the application.
"""

import uuid
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _add_unit_reference(table: str) -> None:
    name = f"fk_{table}_unit_id_org_units"
    if op.get_bind().dialect.name == "sqlite":
        columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns(table)}
        if "unit_id" in columns:  # left by a downgrade on SQLite (see downgrade())
            op.create_index(f"ix_{table}_unit_id", table, ["unit_id"])
            return
        # SQLite cannot ALTER a constraint in; a column may carry its REFERENCES inline
        # (a batch copy would drop and re-create the table, cascading deletes).
        column = sa.Column(
            "unit_id",
            sa.Uuid(),
            sa.ForeignKey("org_units.id", name=name),
            nullable=True,
        )
        op.add_column(table, column, inline_references=True)
    else:
        op.add_column(table, sa.Column("unit_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(name, table, "org_units", ["unit_id"], ["id"])
    op.create_index(f"ix_{table}_unit_id", table, ["unit_id"])


def _deepest_common_unit(paths: Iterable[str]) -> uuid.UUID | None:
    """The deepest unit whose path prefixes every path ("/<root>/<child>/.../")."""
    chains = [[part for part in path.split("/") if part] for path in paths]
    if not chains:
        return None
    common: list[str] = []
    for parts in zip(*chains, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return uuid.UUID(common[-1]) if common else None


def _backfill(table: str, owners: dict[uuid.UUID, list[str]]) -> None:
    target = sa.table(table, sa.column("id", sa.Uuid()), sa.column("unit_id", sa.Uuid()))
    for row_id, paths in owners.items():
        unit_id = _deepest_common_unit(paths)
        if unit_id is not None:
            op.execute(target.update().where(target.c.id == row_id).values(unit_id=unit_id))


def _paths_by(query: str) -> dict[uuid.UUID, list[str]]:
    columns = (sa.column("owner", sa.Uuid()), sa.column("path", sa.String()))
    rows = op.get_bind().execute(sa.text(query).columns(*columns))
    found: dict[uuid.UUID, list[str]] = {}
    for owner, path in rows:
        found.setdefault(owner, []).append(path)
    return found


def upgrade() -> None:
    op.add_column(
        "org_units", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("users", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    _add_unit_reference("users")
    _add_unit_reference("access_schedules")
    _backfill(
        "users",
        _paths_by(
            "SELECT r.user_id AS owner, u.path AS path FROM role_assignments r "
            "JOIN org_units u ON u.id = r.unit_id"
        ),
    )
    _backfill(
        "access_schedules",
        _paths_by(
            "SELECT r.schedule_id AS owner, u.path AS path FROM access_rules r "
            "JOIN door_groups d ON d.id = r.door_group_id "
            "JOIN org_units u ON u.id = d.unit_id"
        ),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("name_digest", sa.LargeBinary(32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", TS, nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("name_digest", name="pk_sign_in_failures"),
    )
    op.create_index("ix_sign_in_failures_last_failed_at", "sign_in_failures", ["last_failed_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_last_failed_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    for table in ("access_schedules", "users"):
        op.drop_index(f"ix_{table}_unit_id", table_name=table)
        if op.get_bind().dialect.name == "sqlite":
            # SQLite drops a column with a REFERENCES clause only by copying the table,
            # and dropping the old copy would cascade-delete role assignments, tokens and
            # sessions. The nullable column stays, unread; upgrade() adopts it again.
            continue
        op.drop_constraint(f"fk_{table}_unit_id_org_units", table, type_="foreignkey")
        op.drop_column(table, "unit_id")
    for table in ("users", "org_units"):
        # In place on SQLite too (ALTER TABLE ... DROP COLUMN, 3.35+): batch mode would
        # rebuild the table, and dropping the old copy cascade-deletes role assignments.
        op.drop_column(table, "version")
