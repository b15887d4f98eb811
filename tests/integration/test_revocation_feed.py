"""Revoke a card; a connected reader's change feed shows the new CRL number within 2 s.

Through the real service, on PostgreSQL and on the embedded SQLite: the card is issued
by the station protocol over HTTP, the reader follows /api/v1/reader/trust-events, and
the latency is measured."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.support.databases import fresh_postgres_database, sqlite_url
from tests.support.live_service import enrol_reader, issue_card, running_service

PROPAGATION_LIMIT_S = 2.0


@contextmanager
def _database(backend: str, request: pytest.FixtureRequest, directory: Path) -> Iterator[str]:
    if backend == "sqlite":
        directory.mkdir()
        yield sqlite_url(directory)
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_admin")) as url:
        yield url


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def test_a_revocation_reaches_a_connected_reader_within_two_seconds(
    backend, request, tmp_path, report_measurement
):
    with (
        _database(backend, request, tmp_path / "db") as url,
        running_service(tmp_path, url) as live,
    ):
        admin = live.sign_in()
        units = httpx2.get(f"{live.base_url}/api/v1/units", headers=admin).json()["items"]
        root = next(u for u in units if u["code"] == "HUE")["id"]
        station = enrol_reader(live, admin, root, "issuance")
        door = enrol_reader(live, admin, root, "door")
        card = issue_card(live, admin, station, root).record

        events: list[tuple[float, dict[str, Any]]] = []
        connected = threading.Event()

        def follow() -> None:
            with httpx2.stream(
                "GET",
                f"{live.base_url}/api/v1/reader/trust-events",
                headers=door.headers(datetime.now(UTC)),
                timeout=30,
            ) as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        events.append((time.monotonic(), json.loads(line[6:])))
                        connected.set()
                        if len(events) >= 2:
                            return

        follower = threading.Thread(target=follow, daemon=True)
        follower.start()
        assert connected.wait(10), "the change feed sent nothing"
        ((issuer, before),) = events[0][1]["crl_numbers"].items()

        revoked_at = time.monotonic()
        response = httpx2.post(
            f"{live.base_url}/api/v1/cards/{card['id']}/revoke",
            headers=admin,
            json={"reason": "lost", "comment": "mất thẻ"},
        )
        assert response.status_code == 200
        follower.join(timeout=10)
        assert len(events) == 2, "no event after the revocation"
        seen_at, state = events[1]
        latency = seen_at - revoked_at
        report_measurement(
            f"revocation to change feed ({backend}): {latency * 1000:.0f} ms (limit 2000)"
        )
        assert state["crl_numbers"][issuer] == before + 1
        assert latency < PROPAGATION_LIMIT_S
