"""The migration chain runs up, down and up again on both databases, and matches the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from card_service.db import migrate
from card_service.db.engine import make_engine
from card_service.db.models import metadata
from tests.conftest import DATABASES
from tests.support.databases import fresh_postgres_database, sqlite_url


@pytest.fixture(params=DATABASES)
def empty_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """An engine on a database with no tables at all."""
    if request.param == "sqlite":
        engine = make_engine(sqlite_url(tmp_path))
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_admin")) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    assert {"holders", "cards", "readers", "tap_events", "users"} <= _tables(empty_engine)

    migrate.downgrade(empty_engine, "base")
    assert _tables(empty_engine) == set()

    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()


def test_models_and_migrations_agree(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": migrate.include_object},
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_migration_chain_has_one_head() -> None:
    assert migrate.head_revision()
