"""Each reader token id once, with transactions that really commit (not the savepoint
harness of the API tests): a used token stays used when the request's own transaction
rolls back, and of concurrent uses of one token exactly one gets through."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization

from card_service.db import migrate
from card_service.db.engine import Database
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from card_service.readers.errors import ReaderNotAuthenticatedError
from card_service.readers.models import Reader, ReaderState
from card_service.readers.tokens import active_reader, authenticate_reader
from reader_protocol.enrolment import ReaderMode
from tests.support.databases import fresh_postgres_database, sqlite_url
from tests.support.readers import ReaderKey

NOW = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
CONCURRENT_USES = 8


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def committed_database(request, tmp_path):
    """A database of its own whose transactions really commit."""
    if request.param == "sqlite":
        database = Database.from_url(sqlite_url(tmp_path))
        migrate.upgrade(database.engine)
        yield database
        database.dispose()
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_admin")) as url:
        database = Database.from_url(url)
        migrate.upgrade(database.engine)
        yield database
        database.dispose()


@pytest.fixture
def reader_key(committed_database) -> ReaderKey:
    key = ReaderKey()
    with committed_database.transaction() as session:
        unit = create_unit(session, kind=UnitKind.PROVINCE, code="HUE", name="Huế")
        pem = key.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        reader = Reader(
            name="Cổng A",
            site_unit_id=unit.id,
            location="Cổng A",
            mode=ReaderMode.DOOR,
            public_key_pem=pem.decode(),
            state=ReaderState.ACTIVE,
        )
        session.add(reader)
        session.flush()
        key.reader_id = reader.id
    return key


class RequestFailedError(Exception):
    pass


def _request_that_fails(database: Database, token: str) -> None:
    """What the API does with a reader's request, whose work then fails."""
    with database.transaction() as session:
        reader_id = authenticate_reader(database, token, now=NOW)
        active_reader(session, reader_id, now=NOW).last_heartbeat_at = NOW
        session.flush()
        raise RequestFailedError  # its transaction rolls back, the heartbeat with it


def test_a_token_stays_used_when_the_request_rolls_back(committed_database, reader_key) -> None:
    token = reader_key.token(NOW)
    with pytest.raises(RequestFailedError):
        _request_that_fails(committed_database, token)

    with committed_database.transaction() as session:
        assert session.get(Reader, reader_key.reader_id).last_heartbeat_at is None
    with pytest.raises(ReaderNotAuthenticatedError, match="already used"):
        authenticate_reader(committed_database, token, now=NOW)
    assert authenticate_reader(committed_database, reader_key.token(NOW), now=NOW)


def test_of_concurrent_uses_of_one_token_one_gets_through(committed_database, reader_key) -> None:
    token = reader_key.token(NOW)
    start = threading.Barrier(CONCURRENT_USES)
    outcomes: list[str] = []

    def use() -> None:
        start.wait()
        try:
            authenticate_reader(committed_database, token, now=NOW)
            outcomes.append("accepted")
        except ReaderNotAuthenticatedError:
            outcomes.append("refused")

    threads = [threading.Thread(target=use) for _ in range(CONCURRENT_USES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] + ["refused"] * (CONCURRENT_USES - 1)
