"""What `make run` does, end to end: migrate, seed, serve on SQLite, answer, stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _card_service(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "card_service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_serve_on_sqlite_answers_health_and_stops_cleanly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ECARD_DATA_DIR"] = str(tmp_path / "data")
    assert _card_service("migrate", env=env).returncode == 0
    seeded = _card_service("demo-seed", env=env)
    assert seeded.returncode == 0
    assert "sign in as admin" in seeded.stdout

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "card_service.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx2.get(f"{base}/healthz", timeout=1)
                break
            except httpx2.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "service did not start"
                time.sleep(0.1)
        assert health.status_code == 200
        ready = httpx2.get(f"{base}/readyz", timeout=5)
        assert ready.status_code == 200
        assert ready.json()["database"] == "sqlite"
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=20)
    assert server.returncode == 0
    assert "card-service stopped" in out
