"""Settings come from the environment once, at start-up, never at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from card_service.db.engine import Database
from card_service.settings import Settings


def test_default_database_is_sqlite_under_the_data_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings.from_environment(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve()}/ecard.sqlite3"
    assert settings.uses_sqlite


def test_database_url_from_environment_uses_psycopg3(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/ecard")
    settings = Settings.from_environment()
    assert settings.effective_database_url == "postgresql+psycopg://u@db.example/ecard"
    assert not settings.uses_sqlite


def test_the_postgresql_pool_is_sized_from_the_settings(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/ecard")
    monkeypatch.setenv("ECARD_DATABASE_POOL_SIZE", "24")
    monkeypatch.setenv("ECARD_DATABASE_MAX_OVERFLOW", "3")
    database = Database.from_settings(Settings.from_environment())
    try:  # creating the engine connects to nothing
        pool = database.engine.pool
        assert (pool.size(), pool._max_overflow) == (24, 3)  # type: ignore[attr-defined]
    finally:
        database.dispose()


def test_a_pool_size_out_of_range_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("ECARD_DATABASE_POOL_SIZE", "0")
    with pytest.raises(ValidationError, match="database_pool_size"):
        Settings.from_environment()


def test_importing_the_service_reads_no_environment_and_opens_nothing(tmp_path: Path) -> None:
    # A poisoned environment would break any import-time settings or engine creation.
    data_dir = tmp_path / "must-not-be-created"
    code = (
        "import card_service.app, card_service.cli, card_service.db.models, "
        "card_service.demo.seed, reader_agent.cli, reader_agent.pcsc"
    )
    env = {"DATABASE_URL": "not a url", "ECARD_DATA_DIR": str(data_dir), "ECARD_PORT": "-5"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert not data_dir.exists()
