"""Throw-away databases: a fresh SQLite file or a fresh PostgreSQL database per run."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Written by scripts/start-postgres.sh when the local server needs a role of our own.
URL_FILE = Path(__file__).resolve().parents[2] / ".cache" / "test-database-url"


def postgres_admin_url() -> str:
    """A URL to a PostgreSQL database we may CREATE DATABASE from: TEST_DATABASE_URL,
    else the one scripts/start-postgres.sh wrote down, else the local trust-auth server."""
    url = os.environ.get("TEST_DATABASE_URL") or (
        URL_FILE.read_text(encoding="utf-8").strip() if URL_FILE.is_file() else DEFAULT_ADMIN_URL
    )
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def postgres_reachable(admin_url: str) -> bool:
    engine = create_engine(admin_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        return False
    finally:
        engine.dispose()
    return True


@contextmanager
def fresh_postgres_database(admin_url: str, *, prefix: str = "ecard_test") -> Iterator[str]:
    """Create an empty database, yield its URL, drop it (even if connections linger)."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_url(directory: Path, name: str = "test.sqlite3") -> str:
    return f"sqlite:///{directory / name}"
