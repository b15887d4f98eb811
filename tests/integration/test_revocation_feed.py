"""Revoke a card; a connected reader's change feed shows the new CRL number within 2 s.

Through the real service on PostgreSQL: the card is issued by the station protocol over
HTTP, the reader follows /api/v1/reader/trust-events, and the latency is measured."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from tests.support.databases import fresh_postgres_database
from tests.support.live_service import LiveService, running_service
from tests.support.readers import ReaderKey

pytestmark = pytest.mark.postgresql
PROPAGATION_LIMIT_S = 2.0


def _enrol(live: LiveService, admin: dict[str, str], unit_id: str, mode: str) -> ReaderKey:
    ticket = httpx2.post(
        f"{live.base_url}/api/v1/readers",
        headers=admin,
        json={
            "name": f"{mode} reader",
            "site_unit_id": unit_id,
            "location": "Cổng",
            "mode": mode,
        },
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


def _issue_card(live: LiveService, admin: dict[str, str], station: ReaderKey, unit_id: str):
    holder = httpx2.post(
        f"{live.base_url}/api/v1/holders",
        headers=admin,
        json={
            "staff_number": "FEED1",
            "full_name": "Phan Thị Tin",
            "unit_id": unit_id,
        },
    ).json()
    card = httpx2.post(
        f"{live.base_url}/api/v1/cards", headers=admin, json={"holder_id": holder["id"]}
    ).json()
    card_key = ec.generate_private_key(ec.SECP256R1())

    def sign(nonce_b64: str) -> str:
        raw = base64.b64decode(nonce_b64)
        return base64.b64encode(
            card_key.sign(raw, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        ).decode()

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx2.post(
            f"{live.base_url}/api/v1/issuance{path}",
            json=body,
            headers=station.headers(datetime.now(UTC)),
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    started = post("/begin", {"card_id": card["id"]})
    spki = card_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    post(
        f"/{started['session_id']}/certificate",
        {
            "public_key": base64.b64encode(spki).decode(),
            "signature": sign(started["nonce"]),
        },
    )
    challenge = post(f"/{started['session_id']}/activation-challenge", {})
    finished = post(f"/{started['session_id']}/activate", {"signature": sign(challenge["nonce"])})
    assert finished["state"] == "active"
    return card


def test_a_revocation_reaches_a_connected_reader_within_two_seconds(
    postgres_admin, tmp_path, report_measurement
):
    with fresh_postgres_database(postgres_admin) as url, running_service(tmp_path, url) as live:
        admin = live.sign_in()
        units = httpx2.get(f"{live.base_url}/api/v1/units", headers=admin).json()["items"]
        root = next(u for u in units if u["code"] == "HUE")["id"]
        station = _enrol(live, admin, root, "issuance")
        door = _enrol(live, admin, root, "door")
        card = _issue_card(live, admin, station, root)

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
