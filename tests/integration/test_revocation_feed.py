"""Revoke a card; a connected reader's change feed shows the new CRL number within 2 s.

Through the real service on PostgreSQL: the card is issued by the station protocol over
HTTP, the reader follows /api/v1/reader/trust-events, and the latency is measured."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from tests.support.databases import fresh_postgres_database
from tests.support.live_service import enrol_reader, issue_card, running_service

pytestmark = pytest.mark.postgresql
PROPAGATION_LIMIT_S = 2.0


def test_a_revocation_reaches_a_connected_reader_within_two_seconds(
    postgres_admin, tmp_path, report_measurement
):
    with fresh_postgres_database(postgres_admin) as url, running_service(tmp_path, url) as live:
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
        report_measurement(f"revocation to change feed: {latency * 1000:.0f} ms (limit 2000)")
        assert state["crl_numbers"][issuer] == before + 1
        assert latency < PROPAGATION_LIMIT_S
