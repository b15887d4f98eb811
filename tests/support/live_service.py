"""The real service in a subprocess (what `make run` starts), on a database of its own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveService:
    base_url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[str]

    def password(self, username: str) -> str:
        accounts = json.loads((self.data_dir / "demo-credentials.json").read_text("utf-8"))
        return str(next(a["password"] for a in accounts if a["username"] == username))

    def sign_in(self, username: str = "admin") -> dict[str, str]:
        response = httpx2.post(
            f"{self.base_url}/api/v1/auth/sign-in",
            json={"username": username, "password": self.password(username)},
            timeout=10,
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


def card_service(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "card_service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


@contextmanager
def running_service(data_dir: Path, database_url: str) -> Iterator[LiveService]:
    """Migrate, seed the demo organisation and CA, serve; stop with Ctrl-C at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECARD_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "ECARD_DATA_DIR": str(data_dir),
            "ECARD_LOG_LEVEL": "WARNING",
        }
    )
    card_service("migrate", env=env)
    card_service("demo-seed", env=env)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env["ECARD_PUBLIC_BASE_URL"] = base_url
    process = subprocess.Popen(
        [sys.executable, "-m", "card_service.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx2.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"service did not start: {process.stderr.read() if process.stderr else ''}"
                )
            time.sleep(0.1)
        yield LiveService(base_url, data_dir, env, process)
    finally:
        process.send_signal(2)  # SIGINT: the service drains and stops
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
