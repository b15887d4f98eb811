"""The README's "A citizen at a counter": against the service as `make run` starts it
(SQLite), the counter demo issues a staff card, signs the staff member in with a tap
and leaves a virtual ID card in the citizen reader; the screen then serves a citizen
(a wrong CAN first), and SIGTERM ends the demo with its cards taken out."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import httpx2
import pytest

from reader_agent.virtual.id_card_state import initialise
from tests.reader_agent.stack import ROOT, Service, running, wait_for
from tests.support.live_service import card_service, free_port

pytestmark = [pytest.mark.pcsc, pytest.mark.slow, pytest.mark.usefixtures("pcscd")]


def test_the_counter_demo_serves_a_citizen(tmp_path) -> None:
    data = tmp_path / "data"
    card = tmp_path / "cccd"
    citizen = initialise(card, now=datetime.now(UTC), seed=5)
    port = free_port()
    log = tmp_path / "demo.log"
    with running(Service(data, f"sqlite:///{data / 'ecard.sqlite3'}")) as service:
        card_service(
            "csca-import",
            str(card / "master-list.ml"),
            "--anchor",
            str(card / "csca.der"),
            env=service.env,
        )
        with log.open("w", encoding="utf-8") as output:
            demo = subprocess.Popen(
                [
                    sys.executable,
                    *("-m", "reader_agent.counter.demo", "--id-card", str(card)),
                    *("--service", service.base_url, "--workdir", str(tmp_path / "demo")),
                    *("--credentials", str(data / "demo-credentials.json")),
                    *("--screen-port", str(port)),
                ],
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )
        try:
            wait_for(
                lambda: "open http" in log.read_text("utf-8"),
                timeout=120,
                explain=lambda: log.read_text("utf-8"),
            )
            with httpx2.Client(base_url=f"http://127.0.0.1:{port}/api", timeout=60) as screen:
                wrong = screen.post("/read", json={"can": f"{(int(citizen.can) + 1) % 10**6:06d}"})
                assert wrong.status_code == 409
                assert (wrong.json()["error"], wrong.json()["retries_left"]) == ("wrong_can", 2)
                read = screen.post("/read", json={"can": citizen.can}).json()
                assert read["citizen"]["accepted"] is True
                assert read["counter"]["staff_name"] == "Trần Thị Hạnh"
                started = screen.post(
                    "/start", json={"service_code": "HT-KS", "legal_basis": "public_task"}
                )
                assert started.status_code == 200, started.text
                assert screen.post("/end", json={}).json()["phase"] == "idle"
        finally:
            demo.send_signal(signal.SIGTERM)
            demo.wait(timeout=30)
        assert demo.returncode == 0, log.read_text("utf-8")
    lines = log.read_text("utf-8")
    assert "Trần Thị Hạnh · Được phép vào" in lines
    database = sqlite3.connect(data / "ecard.sqlite3")
    try:
        rows = database.execute(
            "SELECT verdict_accepted, legal_basis, ended_at IS NOT NULL, length(citizen_ref)"
            " FROM counter_sessions"
        ).fetchall()
    finally:
        database.close()
    assert rows == [(1, "public_task", 1, 64)]
