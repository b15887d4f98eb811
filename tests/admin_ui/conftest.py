"""The console on the test organisation: a TestClient per role, signed in through the
sign-in form like a person, on SQLite and PostgreSQL (each test rolled back)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import admin_ui
from admin_ui.jobs import JobRunner
from card_service.app import create_app
from tests.card_service import conftest as service_fixtures
from tests.card_service.conftest import PASSWORD

# The service tests' organisation, keys and clock, shared by name.
org = service_fixtures.org
clock = service_fixtures.clock
password_hash = service_fixtures.password_hash
auth_key = service_fixtures.auth_key
auth_context = service_fixtures.auth_context
app_settings = service_fixtures.app_settings
custody = service_fixtures.custody
audit_context = service_fixtures.audit_context
pki_context = service_fixtures.pki_context
pki = service_fixtures.pki
access_context = service_fixtures.access_context

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture
def console_app(
    database, auth_context, audit_context, pki_context, access_context, clock, app_settings
):
    app = create_app(
        app_settings,
        database=database,
        auth=auth_context,
        audit=audit_context,
        pki=pki_context,
        access=access_context,
        clock=clock,
        background_tasks=False,
    )
    # Jobs run inline: the test's one database connection cannot serve two threads.
    admin_ui.install(app, jobs=JobRunner(inline=True))
    return app


@pytest.fixture
def make_client(console_app, org):
    clients: list[TestClient] = []

    def make(username: str | None) -> TestClient:
        client = TestClient(console_app, raise_server_exceptions=True, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        if username is not None:
            sign_in(client, username)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    page = client.get("/admin/sign-in")
    assert page.status_code == 200
    response = client.post(
        "/admin/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303, response.text
    return response


@pytest.fixture
def as_admin(make_client):
    return make_client("admin")


@pytest.fixture
def as_hr(make_client):
    return make_client("hr")


@pytest.fixture
def as_counter(make_client):
    return make_client("counter")


@pytest.fixture
def as_auditor(make_client):
    return make_client("auditor")


@pytest.fixture
def anonymous(make_client):
    return make_client(None)
