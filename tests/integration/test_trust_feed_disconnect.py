"""A reader that drops its change-feed connection leaves no error behind in the service."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx2
import pytest

from tests.support.databases import fresh_postgres_database
from tests.support.live_service import enrol_reader, running_service

pytestmark = pytest.mark.postgresql


def test_dropped_feed_connections_are_closed_quietly(postgres_admin, tmp_path) -> None:
    with fresh_postgres_database(postgres_admin) as url, running_service(tmp_path, url) as live:
        admin = live.sign_in()
        units = httpx2.get(f"{live.base_url}/api/v1/units", headers=admin).json()["items"]
        root = next(u for u in units if u["code"] == "HUE")["id"]
        door = enrol_reader(live, admin, root, "door")
        for _ in range(3):
            with httpx2.stream(
                "GET",
                f"{live.base_url}/api/v1/reader/trust-events",
                headers=door.headers(datetime.now(UTC)),
                timeout=10,
            ) as stream:
                next(stream.iter_lines())  # connected: the first event arrives, then we hang up
        time.sleep(1.0)  # give the service time to notice
        assert httpx2.get(f"{live.base_url}/healthz", timeout=5).status_code == 200
        log = (tmp_path / "service.log").read_text("utf-8")
        assert "unhandled error" not in log
        assert "Traceback" not in log
