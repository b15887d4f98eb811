"""A real installation, without the demo seed: migrate, create the root unit and its
first administrator with the CLI, then build the organisation and its accounts through
the API. On SQLite and on a fresh PostgreSQL database."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from card_service.app import create_app
from card_service.audit.models import AuditEntry
from card_service.cli import main
from card_service.db.engine import Database
from card_service.orgunits.models import OrgUnit
from card_service.settings import Settings
from card_service.users.models import User
from tests.support.databases import fresh_postgres_database

PASSWORD = "the first administrator's password"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
    ]
)
def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty database of each kind (nothing migrated yet), named by the environment
    the CLI reads."""
    monkeypatch.setenv("ECARD_DATA_DIR", str(tmp_path / "data"))
    if request.param == "sqlite":
        monkeypatch.delenv("DATABASE_URL", raising=False)
        yield Settings.from_environment().effective_database_url
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_admin")) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        yield url


def _create_admin(monkeypatch, capsys, *args: str, password: str = PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    capsys.readouterr()
    return main(["create-admin", "--username", "boss", "--password-stdin", *args])


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("card-service: error: ")
    return err[0]


def test_a_fresh_install_is_set_up_with_the_cli_and_the_api(fresh_database, monkeypatch, capsys):
    assert main(["migrate"]) == 0
    # Without a root unit the command says how to make one.
    assert _create_admin(monkeypatch, capsys) == 1
    assert "--create-root-unit" in _one_error_line(capsys)
    assert (
        _create_admin(
            monkeypatch, capsys, "--create-root-unit", "Thành phố Huế", "--unit-code", "HUE"
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "root unit HUE (Thành phố Huế) created" in out
    assert "administrator 'boss' created for unit HUE" in out

    settings = Settings.from_environment()
    database = Database.from_url(settings.effective_database_url)
    try:
        client = TestClient(create_app(settings, database=database, background_tasks=False))
        tokens = client.post(
            "/api/v1/auth/sign-in", json={"username": "boss", "password": PASSWORD}
        )
        assert tokens.status_code == 200, tokens.text
        boss = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
        [root] = client.get("/api/v1/units", headers=boss).json()["items"]
        agency = client.post(
            "/api/v1/units",
            json={"parent_id": root["id"], "kind": "agency", "code": "SNV", "name": "Sở Nội vụ"},
            headers=boss,
        )
        assert agency.status_code == 201, agency.text
        for username, role in [("hr1", "hr"), ("quay1", "counter_staff"), ("kt1", "auditor")]:
            created = client.post(
                "/api/v1/users",
                json={
                    "username": username,
                    "display_name": username.upper(),
                    "password": f"{username} password 2026",
                    "unit_id": agency.json()["id"],
                    "roles": [{"role": role, "unit_id": agency.json()["id"]}],
                },
                headers=boss,
            )
            assert created.status_code == 201, created.text
            signed_in = client.post(
                "/api/v1/auth/sign-in",
                json={"username": username, "password": f"{username} password 2026"},
            )
            assert signed_in.status_code == 200
    finally:
        database.dispose()
    check = Database.from_url(fresh_database)
    try:
        with check.sessions() as session:
            boss_row = session.scalar(select(User).where(User.username == "boss"))
            hue = session.scalar(select(OrgUnit).where(OrgUnit.code == "HUE"))
            assert boss_row is not None
            assert hue is not None
            assert boss_row.unit_id == hue.id
            actions = [
                (entry.actor, entry.action)
                for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
            ]
    finally:
        check.dispose()
    assert actions[:2] == [
        ("cli:create-admin", "unit.created"),
        ("cli:create-admin", "user.created"),
    ]
    assert ("user:boss", "unit.created") in actions
    assert actions.count(("user:boss", "user.created")) == 3


def test_create_admin_input_errors_are_one_line(fresh_database, monkeypatch, capsys):
    assert main(["migrate"]) == 0
    root = ("--create-root-unit", "Thành phố Huế", "--unit-code", "HUE")
    cases = [
        (("--create-root-unit", "Huế"), "--create-root-unit needs --unit-code"),
        (("--unit-code", "HUE"), "--unit-code goes with --create-root-unit"),
        (("--create-root-unit", "Huế", "--unit-code", "H U E"), "--unit-code:"),
        (("--create-root-unit", " ", "--unit-code", "HUE"), "--create-root-unit:"),
        (("--unit", "HUE", *root), "either --unit or --create-root-unit"),
        (("--unit", "NOWHERE"), "no organisation unit with code 'NOWHERE'"),
    ]
    for args, message in cases:
        assert _create_admin(monkeypatch, capsys, *args) == 1, args
        assert message in _one_error_line(capsys), args
    assert _create_admin(monkeypatch, capsys, *root, password="short") == 1
    assert "at least 12 characters" in _one_error_line(capsys)
    # Nothing was written by the failures; the real thing works once.
    assert _create_admin(monkeypatch, capsys, *root) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    again = main(
        ["create-admin", "--username", "deputy", "--password-stdin", *root[:2], "--unit-code", "X"]
    )
    assert again == 1
    assert "a root unit already exists (HUE)" in _one_error_line(capsys)
    # Existing behaviour is kept: with one root, no option is needed.
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-admin", "--username", "deputy", "--password-stdin"]) == 0
    assert "administrator 'deputy' created for unit HUE" in capsys.readouterr().out
