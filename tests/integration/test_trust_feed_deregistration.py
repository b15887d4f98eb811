"""Deregistering a reader ends its open change feed within a bound, and its next request
is refused: through the real service, on PostgreSQL and on the embedded SQLite."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from tests.support.databases import fresh_postgres_database, sqlite_url
from tests.support.live_service import enrol_reader, running_service

# The service re-reads which readers are active once a second (readers.watch).
LOCKOUT_LIMIT_S = 2.0


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
def test_deregistration_ends_the_readers_open_feed(
    backend, request, tmp_path, report_measurement
) -> None:
    with (
        _database(backend, request, tmp_path / "db") as url,
        running_service(tmp_path, url) as live,
    ):
        admin = live.sign_in()
        units = httpx2.get(f"{live.base_url}/api/v1/units", headers=admin).json()["items"]
        root = next(u for u in units if u["code"] == "HUE")["id"]
        door = enrol_reader(live, admin, root, "door")
        other = enrol_reader(live, admin, root, "door")

        connected = {"door": threading.Event(), "other": threading.Event()}
        ended_at: dict[str, float] = {}  # a stream the service ended (the whole body read)

        def follow(name: str, headers: dict[str, str]) -> None:
            try:
                with httpx2.stream(
                    "GET",
                    f"{live.base_url}/api/v1/reader/trust-events",
                    headers=headers,
                    timeout=30,
                ) as stream:
                    for line in stream.iter_lines():
                        if line.startswith("data: "):
                            connected[name].set()
                ended_at[name] = time.monotonic()
            except httpx2.TransportError:
                pass  # cut off: the service stopping under a feed still open

        followers = {
            name: threading.Thread(
                target=follow, args=(name, key.headers(datetime.now(UTC))), daemon=True
            )
            for name, key in (("door", door), ("other", other))
        }
        for follower in followers.values():
            follower.start()
        for name, event in connected.items():
            assert event.wait(10), f"the {name} reader's change feed sent nothing"

        deregistered_at = time.monotonic()
        response = httpx2.post(
            f"{live.base_url}/api/v1/readers/{door.reader_id}/deregister", headers=admin
        )
        assert response.status_code == 200
        assert response.json()["state"] == "deregistered"
        followers["door"].join(timeout=10)
        assert "door" in ended_at, "the deregistered reader's feed stayed open"
        latency = ended_at["door"] - deregistered_at
        report_measurement(
            f"deregistration to feed closed ({backend}): {latency * 1000:.0f} ms (limit 2000)"
        )
        assert latency < LOCKOUT_LIMIT_S

        # Its next request, a reconnection, is refused; the other reader's feed is open.
        again = httpx2.get(
            f"{live.base_url}/api/v1/reader/trust-events",
            headers=door.headers(datetime.now(UTC)),
            timeout=10,
        )
        assert again.status_code == 401
        assert again.json()["code"] == "reader_not_authenticated"
        assert followers["other"].is_alive()
        assert "other" not in ended_at
        log = (tmp_path / "service.log").read_text("utf-8")
        assert "Traceback" not in log
