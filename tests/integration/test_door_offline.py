"""A door without its service, through the real stack (card-service on PostgreSQL,
reader-agent, pcscd, vpcd, a virtual card personalised at a station).

- The service stops; the door takes 50 taps alone; the service starts again: every
  event arrives exactly once.
- The door is cut off the network (the service is not) while a card is revoked; once
  it is back, it catches up and denies the card within 60 s, with default settings.
- A door whose revocation list is older than its maximum age fails closed and says
  so in its heartbeat.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader_agent.demo.admin import AdminApi
from reader_agent.virtual.launcher import exclusive_slot, inserted_card, vpcd_reader_name
from reader_agent.virtual.vpcd import SLOT_PORTS
from tests.reader_agent.stack import (
    ReaderAgent,
    Service,
    TcpProxy,
    VirtualStaffCard,
    issue_at_station,
    running,
    wait_for,
)
from tests.support.databases import fresh_postgres_database

pytestmark = [
    pytest.mark.pcsc,
    pytest.mark.postgresql,
    pytest.mark.slow,
    pytest.mark.usefixtures("pcscd"),
]
PORT = SLOT_PORTS[1]
CATCH_UP_LIMIT_S = 60.0
NO_DEBOUNCE = "[policy]\ndebounce_seconds = 0\n"


@dataclass
class Site:
    service: Service
    admin: AdminApi
    unit: uuid.UUID
    directory: Path

    def card(self, name: str) -> VirtualStaffCard:
        return issue_at_station(self.service, self.admin, self.unit, self.directory / name, PORT)

    def door(
        self, name: str, card: VirtualStaffCard, *, url: str | None = None, **kw
    ) -> ReaderAgent:
        ticket = self.admin.register_reader(
            name, site_unit_id=self.unit, location="Cổng", mode="door"
        )
        self.admin.allow_always(
            holder_ids=[card.holder_id], reader_ids=[ticket.reader_id], unit_id=self.unit
        )
        door = ReaderAgent(
            self.directory / name,
            url or self.service.base_url,
            self.unit,
            "door",
            vpcd_reader_name(PORT),
            **kw,
        )
        door.enrol(ticket.enrolment_token)
        return door


@pytest.fixture(scope="module")
def site(postgres_admin, tmp_path_factory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("offline")
    with (
        exclusive_slot(PORT),
        fresh_postgres_database(postgres_admin) as url,
        running(Service(directory / "service", url)) as service,
        service.admin() as admin,
    ):
        yield Site(service, admin, admin.unit_id("HUE-STP-VP"), directory)


def test_fifty_taps_while_the_service_is_down_arrive_exactly_once(site):
    card = site.card("card-a")
    door = site.door("door-a", card, extra=NO_DEBOUNCE)
    site.service.kill()
    try:
        with inserted_card(["--state", str(card.state)], port=PORT):
            door.start("--simulate-taps", "50", "--tap-interval", "0.02")
            try:
                wait_for(lambda: len(door.decisions()) == 50, timeout=60)
                offline = door.decisions()
                assert {d["decision"] for d in offline} == {"granted"}, door.log()
                assert {d["state"] for d in offline} == {"pending"}
                time.sleep(1)  # the uploader keeps failing meanwhile; nothing is lost
            finally:
                site.service.start()
            wait_for(lambda: {d["state"] for d in door.decisions()} == {"sent"}, timeout=30)
    finally:
        door.stop()
    decisions = door.decisions()
    stored = site.service.events(door.reader_id)
    assert len(decisions) == 50
    assert sorted(str(e["id"]) for e in stored) == sorted(d["id"] for d in decisions)
    assert [e["reader_seq"] for e in stored] == list(range(1, 51))


def test_a_reader_cut_off_catches_up_within_60_seconds(site, report_measurement):
    card = site.card("card-b")
    proxy = TcpProxy(site.service.port)
    # The default sync settings (heartbeat every 15 s, back-off up to 15 s).
    door = site.door("door-b", card, url=proxy.url, extra=NO_DEBOUNCE, sync="")
    with inserted_card(["--state", str(card.state)], port=PORT):
        door.start("--simulate-taps", "100000", "--tap-interval", "0.25")
        try:
            wait_for(lambda: "change feed connected" in door.log(), timeout=20)
            proxy.cut()
            site.admin.revoke_card(card.card_id)
            revoked_at = datetime.now(UTC)
            time.sleep(3)
            granted_offline = [
                d
                for d in door.decisions()
                if d["decision"] == "granted"
                and datetime.fromisoformat(d["occurred_at"]) > revoked_at
            ]
            # Cut off, the door cannot know: it decides from what it holds.
            assert granted_offline, door.log()
            proxy.restore()
            back_at = datetime.now(UTC)

            def denial():
                return next((d for d in door.decisions() if d["decision"] == "denied"), None)

            denied = wait_for(denial, timeout=CATCH_UP_LIMIT_S + 5, interval=0.2)
            wait_for(
                lambda: all(d["state"] == "sent" for d in door.decisions()[: denied["reader_seq"]]),
                timeout=30,
            )
        finally:
            door.stop()
    latency = (datetime.fromisoformat(denied["occurred_at"]) - back_at).total_seconds()
    report_measurement(f"reader back on the network to a denied revoked card: {latency:.1f} s")
    assert denied["reason"] == "card_revoked"
    assert latency < CATCH_UP_LIMIT_S
    stored = {str(e["id"]) for e in site.service.events(door.reader_id)}
    sent = {d["id"] for d in door.decisions() if d["state"] == "sent"}
    assert sent <= stored


def test_a_door_with_a_too_old_list_fails_closed_and_says_so(site):
    card = site.card("card-c")
    max_age = 8
    door = site.door(
        "door-c",
        card,
        extra=NO_DEBOUNCE + f"max_crl_age_seconds = {max_age}\n",
    )
    # A change now gives the door a fresh list (suspend, then resume: two deltas).
    site.admin.suspend_card(card.card_id)
    site.admin.resume_card(card.card_id)
    with inserted_card(["--state", str(card.state)], port=PORT):
        door.start("--simulate-taps", "100000", "--tap-interval", "0.5")
        try:
            wait_for(lambda: any(d["decision"] == "granted" for d in door.decisions()), timeout=20)
            stale = wait_for(
                lambda: next(
                    (d for d in door.decisions() if d["reason"] == "revocation_list_stale"),
                    None,
                ),
                timeout=max_age + 20,
            )
            assert stale["decision"] == "denied"
            reported = wait_for(
                lambda: site.admin.reader(door.reader_id).get("failing_closed"), timeout=20
            )
        finally:
            door.stop()
    assert reported is True
    assert "failing closed" in door.log()
    assert "danh sách thu hồi đã quá hạn" in door.log()
