"""Crash safety through the real stack: the door agent is killed with SIGKILL at random
moments while it taps a virtual card (and uploads to card-service on PostgreSQL at the
same time), restarted, killed again, ... until 200 taps were decided. Every decided tap
(one in the outbox) must end up in the service exactly once, with its reader sequence
number, and the numbers must have no gap."""

from __future__ import annotations

import random
import time

import pytest

from reader_agent.virtual.launcher import exclusive_slot, inserted_card, vpcd_reader_name
from reader_agent.virtual.vpcd import SLOT_PORTS
from tests.reader_agent.stack import ReaderAgent, Service, issue_at_station, running, wait_for
from tests.support.databases import fresh_postgres_database

pytestmark = [
    pytest.mark.pcsc,
    pytest.mark.postgresql,
    pytest.mark.slow,
    pytest.mark.usefixtures("pcscd"),
]
PORT = SLOT_PORTS[1]
TAPS = 200


def test_sigkill_at_random_points_during_200_taps(postgres_admin, tmp_path, report_measurement):
    rng = random.Random(20261125)
    with (
        exclusive_slot(PORT),
        fresh_postgres_database(postgres_admin) as url,
        running(Service(tmp_path / "service", url)) as service,
        service.admin() as admin,
    ):
        unit = admin.unit_id("HUE-SNV-CCVC")
        card = issue_at_station(service, admin, unit, tmp_path, PORT)
        ticket = admin.register_reader("Cửa phòng", site_unit_id=unit, location="P.1", mode="door")
        admin.allow_always(holder_ids=[card.holder_id], reader_ids=[ticket.reader_id], unit_id=unit)
        door = ReaderAgent(
            tmp_path / "door",
            service.base_url,
            unit,
            "door",
            vpcd_reader_name(PORT),
            extra="[policy]\ndebounce_seconds = 0\n",
        )
        door.enrol(ticket.enrolment_token)
        kills = 0
        with inserted_card(["--state", str(card.state)], port=PORT):
            while len(door.decisions()) < TAPS:
                door.start("--simulate-taps", "100000", "--tap-interval", "0.005")
                wait_for(lambda: "watching" in door.log(), timeout=30)
                time.sleep(rng.uniform(0.05, 1.0))
                door.kill()
                kills += 1
            # Once more, without taps: only the upload of what is left.
            door.start("--simulate-taps", "0")
            try:
                wait_for(
                    lambda: {d["state"] for d in door.decisions()} == {"sent"},
                    timeout=60,
                    interval=0.2,
                    explain=door.explain,
                )
            finally:
                door.stop()
        decisions = door.decisions()
        stored = service.events(ticket.reader_id)
    report_measurement(f"crash test: {len(decisions)} taps decided across {kills} SIGKILLs")
    assert len(decisions) >= TAPS
    assert kills >= 5
    assert [d["reader_seq"] for d in decisions] == list(range(1, len(decisions) + 1))
    by_id = {str(e["id"]): e for e in stored}
    assert len(by_id) == len(stored) == len(decisions)  # exactly once, nothing extra
    for decision in decisions:
        event = by_id[decision["id"]]
        assert event["reader_seq"] == decision["reader_seq"]
        assert event["decision"] == decision["decision"]
    assert {d["decision"] for d in decisions} == {"granted"}
