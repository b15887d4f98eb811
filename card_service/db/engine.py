"""Engines and session factories, created by named factories (never at import)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from card_service.errors import ConfigurationError, ServiceUnavailableError
from card_service.settings import Settings

logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed during a write; foreign keys are off by default in SQLite;
    # busy_timeout turns a momentary lock into a short wait instead of an error.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling starts transactions late and never for
    # SELECT, which breaks SAVEPOINTs and read consistency; we issue BEGIN ourselves.
    dbapi_connection.isolation_level = None


# One source for the defaults: the settings (engines made outside the app use them too).
DEFAULT_POOL_SIZE: int = Settings.model_fields["database_pool_size"].default
DEFAULT_MAX_OVERFLOW: int = Settings.model_fields["database_max_overflow"].default


def make_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = DEFAULT_POOL_SIZE,
    max_overflow: int = DEFAULT_MAX_OVERFLOW,
) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, foreign keys and real transactions.

    On PostgreSQL the pool keeps ``pool_size`` connections. Size it to the requests a
    process serves at once: SQLAlchemy's default of 5 meant that from the sixth
    concurrent request on, every request opened a connection (a new server process)
    and closed it again, which cost a fifth of online-verification throughput at eight
    concurrent clients (docs/performance.md)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"DATABASE_URL is not a valid database URL: {exc}") from exc

    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            _check_sqlite_directory(Path(database).parent)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_manual_transactions)
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front: two writers then queue on
            # busy_timeout instead of one failing with "database is locked" mid-way.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args=_pg_connect_args(parsed),
    )


def _pg_connect_args(parsed: Any) -> dict[str, Any]:
    if parsed.get_backend_name() == "postgresql":
        return {"connect_timeout": 5}
    return {}


def _check_sqlite_directory(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(
            f"data directory {directory} cannot be created: {exc.strerror}"
        ) from exc
    probe = directory / ".write-probe"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigurationError(
            f"data directory {directory} is not writable: {exc.strerror}"
        ) from exc


@dataclass(frozen=True)
class Database:
    """An engine and the session factory bound to it; the app holds exactly one."""

    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        pool_size: int = DEFAULT_POOL_SIZE,
        max_overflow: int = DEFAULT_MAX_OVERFLOW,
    ) -> Database:
        engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        return cls(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls.from_url(
            settings.effective_database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )

    @classmethod
    def bound_to(cls, engine: Engine, sessions: sessionmaker[Session]) -> Database:
        return cls(engine=engine, sessions=sessions)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def check_reachable(self) -> None:
        """Run ``SELECT 1``; raise a one-line ServiceUnavailableError if that fails."""
        try:
            with self.sessions() as session:
                session.execute(text("SELECT 1"))
        except (OperationalError, sqlite3.Error) as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            where = self.engine.url.render_as_string(hide_password=True)
            raise ServiceUnavailableError(f"database {where} is unreachable: {reason}") from exc

    def dispose(self) -> None:
        self.engine.dispose()
