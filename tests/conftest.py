"""Suite-wide fixtures: databases on SQLite and PostgreSQL, the PC/SC stack, CI rules.

Every test that asks for ``database_url``, ``engine``, ``connection`` or ``session`` runs
twice: on SQLite and on PostgreSQL (a database created for this run and dropped after).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from card_service.db import migrate
from card_service.db.engine import Database, make_engine
from card_service.events.partitions import ensure_monthly_partitions
from tests.support.databases import (
    fresh_postgres_database,
    postgres_admin_url,
    postgres_reachable,
    sqlite_url,
)
from tests.support.environment import require, running_in_ci
from tests.support.pcsc import pcscd_with_vpcd_available

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]
REQUIRED_IN_CI = ("postgresql", "pcsc", "softhsm", "browser")

# ------------------------------------------------------------------ databases


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    url = postgres_admin_url()
    require(postgres_reachable(url), f"PostgreSQL at {url}")
    return url


@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = sqlite_url(tmp_path_factory.mktemp("sqlite"))
    _migrate(url)
    return url


@pytest.fixture(scope="session")
def postgresql_database_url(postgres_admin: str) -> Iterator[str]:
    """A database created for this run, migrated, and dropped at the end."""
    with fresh_postgres_database(postgres_admin) as url:
        _migrate(url)
        yield url


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> str:
    """The run's migrated database of each kind: tests using it run on both."""
    url: str = request.getfixturevalue(f"{request.param}_database_url")
    return url


@pytest.fixture(scope="session")
def postgresql_engine(postgresql_database_url: str) -> Iterator[Engine]:
    engine = make_engine(postgresql_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_connection(postgresql_engine: Engine) -> Iterator[Connection]:
    """For PostgreSQL-only behaviour: a connection whose transaction is rolled back."""
    with postgresql_engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            ensure_monthly_partitions(connection, now=datetime.now(UTC), months_ahead=2)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One connection in a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Sessions commit to a SAVEPOINT; the test's outer transaction still rolls back.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def database(engine: Engine, session_factory: sessionmaker[Session]) -> Database:
    """A Database for create_app() whose every request joins the test's transaction."""
    return Database.bound_to(engine, session_factory)


# ------------------------------------------------------------------ PC/SC


@pytest.fixture(scope="session")
def pcscd() -> None:
    require(
        pcscd_with_vpcd_available(), "pcscd with the vpcd driver (run ./scripts/start-pcscd.sh)"
    )


# ------------------------------------------------------------------ reporting and CI rules

_passed: Counter[str] = Counter()
_skipped: Counter[str] = Counter()
_measured: list[str] = []


@pytest.fixture
def report_measurement() -> Callable[[str], None]:
    """Record a figure a test measured; the terminal summary lists them all."""
    return _measured.append


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for marker in REQUIRED_IN_CI:
        if marker not in report.keywords:
            continue
        if report.when == "call" and report.passed:
            _passed[marker] += 1
        elif report.skipped:
            _skipped[marker] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    parts = [
        f"{marker}: {_passed[marker]} passed, {_skipped[marker]} skipped"
        for marker in REQUIRED_IN_CI
    ]
    terminalreporter.write_line("real services -- " + "; ".join(parts))
    for line in _measured:
        terminalreporter.write_line(f"measured -- {line}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if running_in_ci() and any(_skipped[m] for m in REQUIRED_IN_CI) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
