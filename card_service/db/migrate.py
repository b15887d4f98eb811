"""Schema migrations, run in code (Alembic) on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

import migrations

# Partitions of tap_events are created by the service (events.partitions), not by
# migrations, so schema comparison must not see them as unknown tables.
_PARTITION_PREFIX = "tap_events_"


def include_object(
    obj: Any,
    name: str | None,
    type_: str,
    reflected: bool,  # noqa: FBT001 - Alembic calls this hook positionally
    compare_to: Any,
) -> bool:
    """Alembic hook: ignore the monthly partitions of tap_events when comparing schemas."""
    del obj, compare_to
    return not (type_ == "table" and reflected and name and name.startswith(_PARTITION_PREFIX))


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migration chain must have exactly one head, found {heads}")
    return heads[0]


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def schema_revision(sessions: sessionmaker[Session]) -> str | None:
    """The revision the database is at, read through the app's own sessions."""
    with sessions() as session:
        return current_revision(session.connection())


def is_at_head(sessions: sessionmaker[Session]) -> bool:
    return schema_revision(sessions) == head_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _migrating(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with _migrating(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


class ForeignKeyViolationError(RuntimeError):
    """A migration left rows pointing at rows that no longer exist (SQLite)."""


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for the migration run; on SQLite, foreign keys off around it.

    SQLite changes most columns by rebuilding the table (Alembic's batch mode): create a
    copy, move the rows, drop the original. With foreign keys on, that drop deletes the
    rows that refer to the table (ON DELETE CASCADE: every role assignment of every
    account) or fails (RESTRICT). SQLite's documented procedure for schema changes is to
    switch enforcement off outside the transaction and run ``foreign_key_check`` before
    committing, which is what this does; any dangling reference rolls everything back.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Outside any transaction (the pragma is ignored inside one), on the driver's
            # connection so that SQLAlchemy does not begin one first.
            _driver(connection).execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        table, rowid, parent, _ = dangling[0]
                        raise ForeignKeyViolationError(
                            f"migration left {len(dangling)} dangling reference(s), the first "
                            f"from {table} row {rowid} to {parent}; nothing was changed"
                        )
        finally:
            if sqlite:
                _driver(connection).execute("PRAGMA foreign_keys=ON")


def _driver(connection: Connection) -> Any:
    return connection.connection.driver_connection
