"""Alembic environment.

Driven by ``card_service.db.migrate`` (which passes an open connection), or by the
``alembic`` command line for developers (which reads the URL from the Settings).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from card_service.db.migrate import include_object
from card_service.db.models import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Developer path: `alembic revision --autogenerate` from the repository root.
    from card_service.db.engine import make_engine  # noqa: PLC0415
    from card_service.settings import Settings  # noqa: PLC0415

    engine = make_engine(Settings.from_environment().effective_database_url)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
