"""Migration 0015 drops the unused per-account lock-out columns and nothing else: the
accounts, their roles, refresh tokens and browser sessions survive it, both ways.

(Batch mode would rebuild ``users`` on SQLite and, with foreign keys on, cascade-delete
everything that refers to an account; the migration drops the columns in place.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from card_service.db import migrate
from card_service.db.engine import make_engine
from tests.conftest import DATABASES
from tests.support.databases import fresh_postgres_database, sqlite_url

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
TS = sa.DateTime(timezone=True)

UNITS = sa.table(
    "org_units",
    *(sa.column(c) for c in ("kind", "code", "name", "path")),
    sa.column("id", sa.Uuid()),
    sa.column("created_at", TS),
)
USERS = sa.table(
    "users",
    *(sa.column(c) for c in ("username", "display_name", "password_hash")),
    sa.column("id", sa.Uuid()),
    sa.column("unit_id", sa.Uuid()),
    sa.column("active", sa.Boolean()),
    sa.column("failed_sign_ins", sa.Integer()),
    sa.column("locked_until", TS),
    sa.column("created_at", TS),
)
GRANTS = sa.table(
    "role_assignments",
    sa.column("role"),
    *(sa.column(c, sa.Uuid()) for c in ("id", "user_id", "unit_id")),
)
REFRESH = sa.table(
    "refresh_tokens",
    *(sa.column(c, sa.Uuid()) for c in ("id", "user_id", "family_id")),
    sa.column("token_hash", sa.LargeBinary()),
    sa.column("issued_at", TS),
    sa.column("expires_at", TS),
)
SESSIONS = sa.table(
    "ui_sessions",
    *(sa.column(c, sa.Uuid()) for c in ("id", "user_id")),
    sa.column("token_hash", sa.LargeBinary()),
    sa.column("display_name"),
    *(sa.column(c, TS) for c in ("created_at", "last_seen_at", "expires_at")),
)


@pytest.fixture(params=DATABASES)
def engine_at_0014(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(sqlite_url(tmp_path))
        migrate.upgrade(engine, "0014")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_admin")) as url:
        engine = make_engine(url)
        migrate.upgrade(engine, "0014")
        yield engine
        engine.dispose()


def _user_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns("users")}


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as db:
        return {
            table.name: db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (USERS, GRANTS, REFRESH, SESSIONS)
        }


def test_the_columns_go_and_everything_that_refers_to_an_account_stays(
    engine_at_0014: Engine,
) -> None:
    unit, user = uuid.uuid4(), uuid.uuid4()
    with engine_at_0014.begin() as db:
        db.execute(
            UNITS.insert().values(
                id=unit, kind="agency", code="HUE", name="Huế", path=f"/{unit}/", created_at=NOW
            )
        )
        db.execute(
            USERS.insert().values(
                id=user,
                username="hr",
                display_name="Hồ Thị Hạnh",
                password_hash="x",
                unit_id=unit,
                active=True,
                failed_sign_ins=3,
                locked_until=NOW,
                created_at=NOW,
            )
        )
        db.execute(GRANTS.insert().values(id=uuid.uuid4(), user_id=user, role="hr", unit_id=unit))
        db.execute(
            REFRESH.insert().values(
                id=uuid.uuid4(),
                user_id=user,
                family_id=uuid.uuid4(),
                token_hash=bytes(32),
                issued_at=NOW,
                expires_at=NOW + timedelta(days=1),
            )
        )
        db.execute(
            SESSIONS.insert().values(
                id=uuid.uuid4(),
                user_id=user,
                token_hash=bytes(32),
                display_name="Hồ Thị Hạnh",
                created_at=NOW,
                last_seen_at=NOW,
                expires_at=NOW + timedelta(hours=10),
            )
        )
    every_row_once = {"users": 1, "role_assignments": 1, "refresh_tokens": 1, "ui_sessions": 1}
    assert _counts(engine_at_0014) == every_row_once

    migrate.upgrade(engine_at_0014)
    assert {"failed_sign_ins", "locked_until"}.isdisjoint(_user_columns(engine_at_0014))
    assert _counts(engine_at_0014) == every_row_once

    migrate.downgrade(engine_at_0014, "0014")
    assert {"failed_sign_ins", "locked_until"} <= _user_columns(engine_at_0014)
    assert _counts(engine_at_0014) == every_row_once
    with engine_at_0014.connect() as db:
        restored = db.execute(sa.select(USERS.c.failed_sign_ins, USERS.c.locked_until)).one()
    assert tuple(restored) == (0, None)

    migrate.upgrade(engine_at_0014)
    assert _counts(engine_at_0014) == every_row_once
