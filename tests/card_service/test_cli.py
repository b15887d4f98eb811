"""``card-service``: each command works, and bad input ends in one line and a non-zero exit."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest

from card_service.cli import EXIT_CONFIG, EXIT_IOERR, EXIT_UNAVAILABLE, main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ECARD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("card-service: error: ")
    return err[0]


def test_migrate_then_demo_seed_is_idempotent(data_dir: Path, capsys) -> None:
    assert main(["migrate"]) == 0
    assert main(["demo-seed"]) == 0
    first = capsys.readouterr().out
    assert "demo organisation created" in first
    assert main(["demo-seed"]) == 0
    second = capsys.readouterr().out
    assert "already present" in second
    saved = json.loads((data_dir / "demo-credentials.json").read_text(encoding="utf-8"))
    assert {account["role"] for account in saved} == {"admin", "hr", "counter_staff", "auditor"}
    # The same passwords are printed on every run, and the file is private.
    assert all(account["password"] in second for account in saved)
    assert (data_dir / "demo-credentials.json").stat().st_mode & 0o077 == 0


def test_create_admin_reads_the_password_from_stdin(data_dir: Path, capsys, monkeypatch) -> None:
    assert main(["migrate"]) == 0
    assert main(["demo-seed"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-password\n"))
    assert main(["create-admin", "--username", "Chief", "--password-stdin"]) == 0
    assert "administrator 'Chief' created for unit HUE" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-password\n"))
    assert main(["create-admin", "--username", "chief", "--password-stdin"]) == 1
    assert "already exists" in _one_error_line(capsys)


def test_create_admin_refuses_a_short_password(data_dir: Path, capsys, monkeypatch) -> None:
    assert main(["migrate"]) == 0
    assert main(["demo-seed"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["create-admin", "--username", "x", "--password-stdin"]) == 1
    assert "at least 12 characters" in _one_error_line(capsys)


def test_unreachable_database_is_one_line(data_dir: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    assert main(["migrate"]) == EXIT_UNAVAILABLE
    assert "unreachable" in _one_error_line(capsys)


def test_garbage_database_url_is_one_line(data_dir: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "definitely not a url")
    assert main(["migrate"]) == EXIT_CONFIG
    assert "not a valid database URL" in _one_error_line(capsys)


def test_unwritable_data_directory_is_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ECARD_DATA_DIR", str(blocker / "data"))
    assert main(["migrate"]) == EXIT_CONFIG
    assert "data directory" in _one_error_line(capsys)
    assert not (blocker / "data").exists()
    assert blocker.read_text() == "not a directory"


def test_a_migration_failing_half_way_leaves_no_database_file(
    data_dir: Path, capsys, monkeypatch
) -> None:
    def partitions_fail(*_args: object, **_kwargs: object) -> None:
        # After every table exists: the worst moment to stop.
        raise OSError("No space left on device")

    monkeypatch.setattr("card_service.cli.ensure_monthly_partitions", partitions_fail)
    assert main(["migrate"]) == EXIT_IOERR
    assert "No space left on device" in _one_error_line(capsys)
    assert list(data_dir.glob("ecard.sqlite3*")) == []
    monkeypatch.undo()
    monkeypatch.setenv("ECARD_DATA_DIR", str(data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["migrate"]) == 0  # and the next attempt starts clean


def test_serve_refuses_an_unmigrated_database(data_dir: Path, capsys) -> None:
    assert main(["serve", "--port", "0"]) == EXIT_UNAVAILABLE
    assert "card-service migrate" in _one_error_line(capsys)


def test_port_in_use_is_one_line(data_dir: Path, capsys) -> None:
    assert main(["migrate"]) == 0
    capsys.readouterr()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == EXIT_CONFIG
    assert f"port {port} on 127.0.0.1 is already in use" in _one_error_line(capsys)


def test_invalid_setting_is_one_line(data_dir: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ECARD_PORT", "99999")
    assert main(["migrate"]) == EXIT_CONFIG
    assert "setting port" in _one_error_line(capsys)
