"""Migration 0014 gives existing accounts and schedules the unit that owns them: the
deepest unit containing everything they are used in (docs/administration.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from card_service.db import migrate
from card_service.db.engine import make_engine
from tests.conftest import DATABASES
from tests.support.databases import fresh_postgres_database, sqlite_url

NOW = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)


def _table(name: str, *columns: str) -> sa.TableClause:
    typed: dict[str, Any] = {
        "id": sa.Uuid(),
        "parent_id": sa.Uuid(),
        "unit_id": sa.Uuid(),
        "user_id": sa.Uuid(),
        "access_group_id": sa.Uuid(),
        "door_group_id": sa.Uuid(),
        "schedule_id": sa.Uuid(),
        "created_at": sa.DateTime(timezone=True),
        "windows": sa.JSON(),
        "active": sa.Boolean(),
        "closed_on_holidays": sa.Boolean(),
        "failed_sign_ins": sa.Integer(),
    }
    return sa.table(name, *(sa.column(c, typed.get(c, sa.String())) for c in columns))


UNITS = _table("org_units", "id", "parent_id", "kind", "code", "name", "path", "created_at")
USERS = _table(
    "users",
    "id",
    "username",
    "display_name",
    "password_hash",
    "active",
    "failed_sign_ins",
    "created_at",
)
GRANTS = _table("role_assignments", "id", "user_id", "role", "unit_id")
SCHEDULES = _table("access_schedules", "id", "name", "windows", "closed_on_holidays")
GROUPS = _table("access_groups", "id", "name", "unit_id")
DOORS = _table("door_groups", "id", "name", "unit_id")
RULES = _table("access_rules", "id", "name", "access_group_id", "door_group_id", "schedule_id")


@pytest.fixture(params=DATABASES)
def engine_at_0013(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(sqlite_url(tmp_path))
        migrate.upgrade(engine, "0013")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_admin")) as url:
        engine = make_engine(url)
        migrate.upgrade(engine, "0013")
        yield engine
        engine.dispose()


def test_accounts_and_schedules_get_the_deepest_common_unit(engine_at_0013: Engine) -> None:
    ids = {name: uuid.uuid4() for name in ("root", "a", "b", "a1", "other_root")}
    paths = {
        "root": f"/{ids['root']}/",
        "a": f"/{ids['root']}/{ids['a']}/",
        "b": f"/{ids['root']}/{ids['b']}/",
        "a1": f"/{ids['root']}/{ids['a']}/{ids['a1']}/",
        "other_root": f"/{ids['other_root']}/",
    }
    parents = {"a": "root", "b": "root", "a1": "a"}
    users = {name: uuid.uuid4() for name in ("in_a", "across", "nothing", "two_roots")}
    grants = {
        "in_a": ["a", "a1"],
        "across": ["a1", "b"],
        "nothing": [],
        "two_roots": ["a", "other_root"],
    }
    schedules = {name: uuid.uuid4() for name in ("dept", "shared", "unused")}
    with engine_at_0013.begin() as db:
        for name, unit_id in ids.items():
            db.execute(
                UNITS.insert().values(
                    id=unit_id,
                    parent_id=ids[parents[name]] if name in parents else None,
                    kind="agency",
                    code=name,
                    name=name,
                    path=paths[name],
                    created_at=NOW,
                )
            )
        for name, user_id in users.items():
            db.execute(
                USERS.insert().values(
                    id=user_id,
                    username=name,
                    display_name=name,
                    password_hash="x",
                    active=True,
                    failed_sign_ins=0,
                    created_at=NOW,
                )
            )
            for unit in grants[name]:
                db.execute(
                    GRANTS.insert().values(
                        id=uuid.uuid4(), user_id=user_id, role="hr", unit_id=ids[unit]
                    )
                )
        for name, schedule_id in schedules.items():
            db.execute(
                SCHEDULES.insert().values(
                    id=schedule_id, name=name, windows=[], closed_on_holidays=True
                )
            )
        uses = {"dept": ["a1"], "shared": ["a1", "b"], "unused": []}
        for schedule, units in uses.items():
            for unit in units:
                group, doors = uuid.uuid4(), uuid.uuid4()
                db.execute(GROUPS.insert().values(id=group, name=f"g{group}", unit_id=ids[unit]))
                db.execute(DOORS.insert().values(id=doors, name=f"d{doors}", unit_id=ids[unit]))
                db.execute(
                    RULES.insert().values(
                        id=uuid.uuid4(),
                        name="r",
                        access_group_id=group,
                        door_group_id=doors,
                        schedule_id=schedules[schedule],
                    )
                )

    migrate.upgrade(engine_at_0013)

    owned_users = _table("users", "id", "unit_id", "version")
    owned_schedules = _table("access_schedules", "id", "unit_id")
    with engine_at_0013.connect() as db:
        homes = dict(db.execute(sa.select(owned_users.c.id, owned_users.c.unit_id)).all())
        owners = dict(db.execute(sa.select(owned_schedules.c.id, owned_schedules.c.unit_id)).all())
        versions = set(db.execute(sa.select(owned_users.c.version)).scalars())
    assert homes == {
        users["in_a"]: ids["a"],
        users["across"]: ids["root"],
        users["nothing"]: None,
        users["two_roots"]: None,
    }
    assert owners == {
        schedules["dept"]: ids["a1"],
        schedules["shared"]: ids["root"],
        schedules["unused"]: None,
    }
    assert versions == {1}


def test_down_to_0013_and_up_again(engine_at_0013: Engine) -> None:
    """On SQLite the downgrade keeps the unit columns (see the migration); the upgrade
    adopts them, and the schema matches the models either way."""
    migrate.upgrade(engine_at_0013)
    migrate.downgrade(engine_at_0013, "0013")
    assert "sign_in_failures" not in sa.inspect(engine_at_0013).get_table_names()
    migrate.upgrade(engine_at_0013)
    inspector = sa.inspect(engine_at_0013)
    assert "sign_in_failures" in inspector.get_table_names()
    assert "ix_users_unit_id" in {index["name"] for index in inspector.get_indexes("users")}


def test_down_to_0013_keeps_every_role_assignment(engine_at_0013: Engine) -> None:
    """Dropping ``version`` must not rebuild ``users`` or ``org_units`` on SQLite: with
    foreign keys on, dropping the old copy would cascade-delete the role assignments."""
    unit, user = uuid.uuid4(), uuid.uuid4()
    with engine_at_0013.begin() as db:
        db.execute(
            UNITS.insert().values(
                id=unit, kind="province", code="HUE", name="Huế", path=f"/{unit}/", created_at=NOW
            )
        )
        db.execute(
            USERS.insert().values(
                id=user,
                username="hr",
                display_name="Hồ Thị Hạnh",
                password_hash="x",
                active=True,
                failed_sign_ins=0,
                created_at=NOW,
            )
        )
        db.execute(GRANTS.insert().values(id=uuid.uuid4(), user_id=user, role="hr", unit_id=unit))
    migrate.upgrade(engine_at_0013)
    migrate.downgrade(engine_at_0013, "0013")
    with engine_at_0013.connect() as db:
        counts = [
            db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (UNITS, USERS, GRANTS)
        ]
    assert counts == [1, 1, 1]
    assert "version" not in {c["name"] for c in sa.inspect(engine_at_0013).get_columns("users")}
