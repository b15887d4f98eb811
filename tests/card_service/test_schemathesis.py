"""Schemathesis against /openapi.json: no request the schema describes (or nearly
describes) may produce a server error.

Two runs per database: every operation signed in as an administrator, and every
reader-side operation (those behind a reader's own token) with a valid, fresh reader
token per request (reader tokens are single-use), from a reader of the mode the
operation is for. Without the second run those operations stop at 401 and their
handlers are never reached.

Driven through Schemathesis' Python API (its pytest plugin does not support this
pytest version): one Hypothesis run per API operation, inside one test per database.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, given, settings

from card_service.app import create_app
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from card_service.readers.dependencies import current_reader
from tests.support.readers import ReaderKey

EXAMPLES_PER_OPERATION = 20
# The change feed is a server-sent event stream that stays open while the reader is
# connected: a generated request would never end. tests/integration/test_trust_feed_*
# and test_revocation_feed.py run it against a live service.
STREAMING = {("GET", "/api/v1/reader/trust-events")}
# Online verification authenticates its caller itself (a reader token or a user's).
ALSO_READER_TOKENS = {("POST", "/api/v1/verify/challenges"), ("POST", "/api/v1/verify")}


@pytest.fixture
def app(database, auth_context, audit_context, pki, access_context, clock, app_settings):
    return create_app(
        app_settings,
        database=database,
        auth=auth_context,
        audit=audit_context,
        pki=pki,
        access=access_context,
        clock=clock,
        background_tasks=False,
    )


def _check_every(
    operations: list[Any], headers: Callable[[Any], dict[str, str]]
) -> dict[str, set[int]]:
    """Run each operation; return the status codes each one answered."""
    statuses: dict[str, set[int]] = defaultdict(set)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(
                headers=headers(case), checks=[schemathesis.checks.not_a_server_error]
            )
            statuses[case.operation.label].add(response.status_code)

        run()
    return statuses


def _all_operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # An operation the schema describes wrongly comes back as an Err, and fails here.
    return [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]


def test_no_operation_answers_with_a_server_error(app, org, as_user) -> None:
    operations = _all_operations(app)
    assert len(operations) > 20
    headers = as_user("admin")
    _check_every(operations, lambda _: headers)


def _calls(dependant: Dependant) -> Iterator[Any]:
    yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def _reader_side(app: FastAPI) -> set[tuple[str, str]]:
    """(METHOD, path) of every operation behind a reader's own token."""
    found = set(ALSO_READER_TOKENS)
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and current_reader in set(_calls(route.dependant)):
            found |= {(method, str(context.path)) for method in route.methods or ()}
    return found


def _enrol(client, as_user, unit_id: str, mode: str) -> ReaderKey:
    ticket = client.post(
        "/api/v1/readers",
        json={"name": f"{mode} reader", "site_unit_id": unit_id, "location": "x", "mode": mode},
        headers=as_user("admin"),
    )
    assert ticket.status_code == 201, ticket.text
    key = ReaderKey()
    enrolled = client.post(
        "/api/v1/reader/enrol",
        json={
            "token": ticket.json()["enrolment_token"],
            "site_unit_id": unit_id,
            "mode": mode,
            "public_key": key.spki_b64,
            "agent_version": "schemathesis",
        },
    )
    assert enrolled.status_code == 200, enrolled.text
    key.reader_id = uuid.UUID(enrolled.json()["reader_id"])
    return key


def test_no_reader_side_operation_answers_with_a_server_error(
    app, client, org, session, as_user, clock
) -> None:
    counter = create_unit(
        session, kind=UnitKind.COUNTER, code="Q-ST", name="Quầy 1", parent=org.units["centre"]
    )
    session.commit()
    readers = {
        "door": _enrol(client, as_user, str(org.units["snv"].id), "door"),
        "issuance": _enrol(client, as_user, str(org.units["root"].id), "issuance"),
        "counter": _enrol(client, as_user, str(counter.id), "counter"),
    }

    def reader_for(path: str) -> ReaderKey:
        if path.startswith("/api/v1/issuance"):
            return readers["issuance"]
        if path.startswith(("/api/v1/reader/counter", "/api/v1/reader/csca")):
            return readers["counter"]
        return readers["door"]

    reader_side = _reader_side(app) - STREAMING
    assert {
        ("POST", "/api/v1/reader/heartbeat"),
        ("GET", "/api/v1/reader/config"),
        ("POST", "/api/v1/events/batches"),
        ("POST", "/api/v1/issuance/begin"),
    } <= reader_side
    operations = [
        operation
        for operation in _all_operations(app)
        if (operation.method.upper(), operation.path) in reader_side
    ]
    assert len(operations) == len(reader_side), "an operation was not found in the schema"
    # A new token for every request: a reader token is accepted once.
    statuses = _check_every(
        operations, lambda case: reader_for(case.operation.path).headers(clock.now)
    )
    # The tokens worked: every operation got past authentication at least once.
    assert [label for label, seen in statuses.items() if seen <= {401}] == []
    assert len(statuses) == len(operations)
