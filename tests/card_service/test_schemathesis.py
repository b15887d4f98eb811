"""Schemathesis against /openapi.json, signed in as an administrator: no request the
schema describes (or nearly describes) may produce a server error.

Driven through Schemathesis' Python API (its pytest plugin does not support this
pytest version): one Hypothesis run per API operation, inside one test per database.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from card_service.app import create_app

EXAMPLES_PER_OPERATION = 20


def test_no_operation_answers_with_a_server_error(
    database, auth_context, audit_context, pki, clock, app_settings, org, as_user
) -> None:
    app = create_app(
        app_settings,
        database=database,
        auth=auth_context,
        audit=audit_context,
        pki=pki,
        clock=clock,
        background_tasks=False,
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = as_user("admin")
    # An operation the schema describes wrongly comes back as an Err, and fails here.
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[schemathesis.checks.not_a_server_error])

        run()
