"""Liveness, readiness and the problem+json shape of errors."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient

from card_service.app import create_app
from card_service.db.engine import Database
from card_service.settings import Settings
from tests.support.databases import sqlite_url


def test_healthz_and_readyz_on_a_migrated_database(database: Database, tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path), database=database)
    client = TestClient(app)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["database"] == database.engine.dialect.name


def test_readyz_refuses_an_unmigrated_database(tmp_path) -> None:
    database = Database.from_url(sqlite_url(tmp_path, "empty.sqlite3"))
    client = TestClient(create_app(Settings(data_dir=tmp_path), database=database))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "schema_not_at_head"
    database.dispose()


def test_readyz_reports_an_unreachable_database(tmp_path) -> None:
    database = Database.from_url("postgresql+psycopg://nobody@127.0.0.1:1/none")
    client = TestClient(create_app(Settings(data_dir=tmp_path), database=database))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert "unreachable" in response.json()["detail"]


def test_errors_are_problem_json_with_stable_codes(database: Database, tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path), database=database)
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    @router.get("/typed/{number}")
    def typed(number: int) -> int:
        return number

    app.include_router(router)
    client = TestClient(app, raise_server_exceptions=False)

    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "not_found"

    invalid = client.get("/typed/not-a-number")
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "validation_failed"
    assert invalid.json()["errors"][0]["loc"] == ["path", "number"]

    crash = client.get("/boom")
    assert crash.status_code == 500
    assert crash.json()["code"] == "internal_error"
    assert "secret internals" not in crash.text


def test_openapi_is_served(database: Database, tmp_path) -> None:
    client = TestClient(create_app(Settings(data_dir=tmp_path), database=database))
    spec = client.get("/openapi.json").json()
    assert "/readyz" in spec["paths"]
