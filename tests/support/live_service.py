"""The real service in a subprocess (what `make run` starts), on a database of its own."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from tests.support.readers import ReaderKey


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
    # The service's output goes to a file: a pipe nobody reads fills up (64 KiB) and
    # then blocks the service in the middle of a test.
    log_path = data_dir / "service.log"
    log_file = log_path.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "card_service.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
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
                raise RuntimeError(f"service did not start: {log_path.read_text('utf-8')[-2000:]}")
            time.sleep(0.1)
        yield LiveService(base_url, data_dir, env, process)
    finally:
        process.send_signal(2)  # SIGINT: the service drains and stops
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()


# ------------------------------------------------------------------ driving it over HTTP


def enrol_reader(live: LiveService, admin: dict[str, str], unit_id: str, mode: str) -> ReaderKey:
    """Register a reader as the administrator, and enrol it with a fresh key."""
    ticket = httpx2.post(
        f"{live.base_url}/api/v1/readers",
        headers=admin,
        json={"name": f"{mode} reader", "site_unit_id": unit_id, "location": "Cổng", "mode": mode},
    ).json()
    key = ReaderKey()
    body = httpx2.post(
        f"{live.base_url}/api/v1/reader/enrol",
        json={
            "token": ticket["enrolment_token"],
            "site_unit_id": unit_id,
            "mode": mode,
            "public_key": key.spki_b64,
        },
    ).json()
    key.reader_id = uuid.UUID(body["reader_id"])
    return key


@dataclass
class IssuedCard:
    record: dict[str, Any]
    key: ec.EllipticCurvePrivateKey  # what the card keeps in slot 9E
    certificate: bytes


def sign_like_a_card(key: ec.EllipticCurvePrivateKey, challenge_b64: str) -> str:
    """What PIV GENERAL AUTHENTICATE 9E returns: ECDSA over the 32 bytes as a digest."""
    raw = base64.b64decode(challenge_b64)
    return base64.b64encode(key.sign(raw, ec.ECDSA(utils.Prehashed(hashes.SHA256())))).decode()


def issue_card(
    live: LiveService, admin: dict[str, str], station: ReaderKey, unit_id: str
) -> IssuedCard:
    """A new holder and card, issued through the station protocol over HTTP."""
    holder = httpx2.post(
        f"{live.base_url}/api/v1/holders",
        headers=admin,
        json={
            "staff_number": f"F{uuid.uuid4().hex[:8]}",
            "full_name": "Phan Thị Tin",
            "unit_id": unit_id,
        },
    ).json()
    card = httpx2.post(
        f"{live.base_url}/api/v1/cards", headers=admin, json={"holder_id": holder["id"]}
    ).json()
    card_key = ec.generate_private_key(ec.SECP256R1())

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx2.post(
            f"{live.base_url}/api/v1/issuance{path}",
            json=body,
            headers=station.headers(datetime.now(UTC)),
        )
        if response.status_code != 200:
            raise RuntimeError(f"issuance step {path} failed: {response.text}")
        answer: dict[str, Any] = response.json()
        return answer

    started = post("/begin", {"card_id": card["id"]})
    spki = card_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    issued = post(
        f"/{started['session_id']}/certificate",
        {
            "public_key": base64.b64encode(spki).decode(),
            "signature": sign_like_a_card(card_key, started["nonce"]),
        },
    )
    challenge = post(f"/{started['session_id']}/activation-challenge", {})
    post(
        f"/{started['session_id']}/activate",
        {"signature": sign_like_a_card(card_key, challenge["nonce"])},
    )
    return IssuedCard(card, card_key, base64.b64decode(issued["certificate"]))


def issue_requested_card(live: LiveService, station: ReaderKey, card_id: str) -> IssuedCard:
    """Issue a card someone already requested (e.g. in the console), as an issuance
    station would: the card's new key proves possession, then the written card answers
    the activation challenge."""
    card_key = ec.generate_private_key(ec.SECP256R1())

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx2.post(
            f"{live.base_url}/api/v1/issuance{path}",
            json=body,
            headers=station.headers(datetime.now(UTC)),
        )
        if response.status_code != 200:
            raise RuntimeError(f"issuance step {path} failed: {response.text}")
        answer: dict[str, Any] = response.json()
        return answer

    started = post("/begin", {"card_id": card_id})
    spki = card_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    issued = post(
        f"/{started['session_id']}/certificate",
        {
            "public_key": base64.b64encode(spki).decode(),
            "signature": sign_like_a_card(card_key, started["nonce"]),
        },
    )
    challenge = post(f"/{started['session_id']}/activation-challenge", {})
    post(
        f"/{started['session_id']}/activate",
        {"signature": sign_like_a_card(card_key, challenge["nonce"])},
    )
    return IssuedCard({"id": card_id}, card_key, base64.b64decode(issued["certificate"]))


def unit_ids(live: LiveService, headers: dict[str, str]) -> dict[str, str]:
    """The demo organisation's unit ids by code, as the caller can see them."""
    response = httpx2.get(f"{live.base_url}/api/v1/units?limit=500", headers=headers, timeout=10)
    response.raise_for_status()
    return {unit["code"]: unit["id"] for unit in response.json()["items"]}
