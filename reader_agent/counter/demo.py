"""A counter you can sit at, against a running service (``make run``):

1. as the demo administrator: a catalogue entry, a staff member with a requested card,
   an issuance station and a counter reader at counter Q01 (each enrolled here), and a
   rule that lets the staff member sign in there;
2. a blank virtual PIV card is personalised at the station (vpcd slot 0);
3. the counter agent runs with its citizen desk; the staff card is tapped: signed in;
4. the virtual chip ID card (``--id-card DIR``, its CSCA imported by the caller with
   ``card-service csca-import``) goes into the citizen reader (vpcd slot 1) and stays
   there; the counter screen's address and the card's CAN are printed. Open the page,
   type the CAN, read, pick a service, start, end. Ctrl-C stops.

    python -m reader_agent.counter.demo --id-card data/demo-counter/cccd

(``scripts/demo-counter.sh`` does the whole thing.) Everything goes through pcscd +
vpcd and the service's HTTP API; the files stay in ``workdir``.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx2

from reader_agent.agent import Agent, ReaderState
from reader_agent.client.service import ServiceClient
from reader_agent.client.tokens import ReaderTokenSigner
from reader_agent.demo.admin import AdminApi
from reader_agent.enrol import enrol, first_sync
from reader_agent.errors import ReaderAgentError
from reader_agent.feedback import TapOutcome, describe
from reader_agent.issuance_station import issue_card
from reader_agent.pcsc import PcscConnection
from reader_agent.piv import PivClient
from reader_agent.settings import ReaderSettings, SettingsError, load_settings
from reader_agent.state.identity import ReaderIdentity
from reader_agent.virtual.id_card_state import load_citizen
from reader_agent.virtual.launcher import (
    exclusive_slot,
    inserted_card,
    pcscd_with_vpcd_available,
    vpcd_reader_name,
)
from reader_agent.virtual.vpcd import SLOT_PORTS

CENTRE, COUNTER = "HUE-TTPVHCC", "HUE-TTPVHCC-Q01"
STAFF_NAME = "Trần Thị Hạnh"
SERVICES = (("HT-KS", "Đăng ký khai sinh"), ("CT-BS", "Chứng thực bản sao từ bản chính"))
STAFF_PORT, CITIZEN_PORT = SLOT_PORTS


def _toml(path: Path, *, service_url: str, unit: uuid.UUID, mode: str, extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'service_url = "{service_url}"\ndata_dir = "{path.stem}-data"\n\n'
        f'[reader]\npcsc_reader = "{vpcd_reader_name(STAFF_PORT)}"\n\n'
        f'[enrolment]\nsite_unit_id = "{unit}"\nmode = "{mode}"\n\n'
        f'[door]\nkind = "none"\n{extra}',
        encoding="utf-8",
    )
    return path


def _enrolled(settings: ReaderSettings, token: str) -> ReaderIdentity:
    identity = enrol(settings, token)
    if not first_sync(settings, identity):
        raise SettingsError("the reader could not fetch its trust material from the service")
    return identity


def _add_services(service_url: str, username: str, password: str) -> None:
    """Catalogue entries (the demo organisation has none); existing codes are kept."""
    with httpx2.Client(base_url=f"{service_url.rstrip('/')}/api/v1", timeout=30) as client:
        token = client.post(
            "/auth/sign-in", json={"username": username, "password": password}
        ).json()["access_token"]
        for code, name in SERVICES:
            client.post(
                "/service-usage/catalogue",
                json={"code": code, "name": name},
                headers={"Authorization": f"Bearer {token}"},
            )


def run_demo(
    *,
    service_url: str,
    username: str,
    password: str,
    workdir: Path,
    id_card: Path,
    screen_port: int,
    say: Callable[[str], None],
    stop: threading.Event,
) -> None:
    if not pcscd_with_vpcd_available():
        raise SettingsError("pcscd with the vpcd readers is not running: run `make pcscd`")
    citizen = load_citizen(id_card)
    _add_services(service_url, username, password)
    with AdminApi.sign_in(service_url, username, password) as admin:
        centre, counter = admin.unit_id(CENTRE), admin.unit_id(COUNTER)
        staff = admin.create_holder(STAFF_NAME, centre)
        card_id = admin.request_card(staff)
        station_ticket = admin.register_reader(
            "Trạm cấp thẻ (demo)", site_unit_id=centre, location="Phòng 1", mode="issuance"
        )
        desk_ticket = admin.register_reader(
            "Quầy 01 (demo)", site_unit_id=counter, location="Quầy 01", mode="counter"
        )
        admin.allow_always(holder_ids=[staff], reader_ids=[desk_ticket.reader_id], unit_id=centre)
    say(f"1. {STAFF_NAME}: card requested; station and counter Q01 registered")
    desk_extra = (
        f'\n[counter]\ncitizen_reader = "{vpcd_reader_name(CITIZEN_PORT)}"\n'
        f"screen_port = {screen_port}\n"
    )
    station = load_settings(
        _toml(workdir / "station.toml", service_url=service_url, unit=centre, mode="issuance")
    )
    desk = load_settings(
        _toml(
            workdir / "counter.toml",
            service_url=service_url,
            unit=counter,
            mode="counter",
            extra=desk_extra,
        )
    )
    station_identity = _enrolled(station, station_ticket.enrolment_token)
    _enrolled(desk, desk_ticket.enrolment_token)
    staff_card = workdir / "staff-card.json"
    with ExitStack() as stack:
        stack.enter_context(exclusive_slot(STAFF_PORT))
        stack.enter_context(exclusive_slot(CITIZEN_PORT))
        _issue(station, station_identity, card_id, staff_card, say)
        signed_in = threading.Event()
        stack.enter_context(_counter_agent(desk, signed_in, stop, say))
        say("3. the staff card is tapped at the counter:")
        with inserted_card(["--state", str(staff_card)], port=STAFF_PORT):
            if not signed_in.wait(15):
                raise SettingsError("the counter saw no tap; is pcscd running with vpcd?")
        stack.enter_context(
            inserted_card(
                ["--state", str(id_card)], port=CITIZEN_PORT, subcommand="virtual-id-card"
            )
        )
        say(f"4. {citizen.full_name}'s chip ID card is in the citizen reader (CAN {citizen.can})")
        say(f"   open http://127.0.0.1:{screen_port}/ , type the CAN, read, serve. Ctrl-C stops.")
        stop.wait()


def _issue(
    settings: ReaderSettings,
    identity: ReaderIdentity,
    card_id: uuid.UUID,
    card_state: Path,
    say: Callable[[str], None],
) -> None:
    say("2. a blank virtual card is personalised at the station")
    state = ReaderState.restore(settings, now=datetime.now(UTC))
    client = ServiceClient(
        settings.base_url, signer=ReaderTokenSigner(identity.reader_id, identity.private_key)
    )
    try:
        with (
            inserted_card(["--state", str(card_state)], port=STAFF_PORT) as card,
            PcscConnection(card.reader_name) as connection,
        ):
            issue_card(
                PivClient(connection),
                client,
                card_id,
                now=lambda: datetime.now(UTC),
                verifier=state.trust.verifier,
                say=lambda line: say(f"   {line}"),
            )
    finally:
        client.close()


class _Feedback:
    def __init__(self, signed_in: threading.Event, say: Callable[[str], None]) -> None:
        self._signed_in = signed_in
        self._say = say

    def show(self, outcome: TapOutcome) -> None:
        self._say(f"   [counter] {describe(outcome)}")
        if outcome.decision.value == "granted":
            self._signed_in.set()


@contextmanager
def _counter_agent(
    settings: ReaderSettings,
    signed_in: threading.Event,
    stop: threading.Event,
    say: Callable[[str], None],
) -> Iterator[None]:
    agent = Agent.open(settings, feedback=_Feedback(signed_in, say), stop=stop)
    thread = threading.Thread(target=agent.run, name="counter", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--id-card", type=Path, required=True, help="virtual ID card directory")
    parser.add_argument("--service", default="http://127.0.0.1:8000")
    parser.add_argument("--credentials", type=Path, default=Path("data/demo-credentials.json"))
    parser.add_argument("--username", default="admin")
    parser.add_argument("--workdir", type=Path, default=Path("data/demo-counter"))
    parser.add_argument("--screen-port", type=int, default=8765)
    args = parser.parse_args()
    accounts = json.loads(args.credentials.read_text("utf-8"))
    password = next(a["password"] for a in accounts if a["username"] == args.username)
    workdir = args.workdir.resolve() / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    stop = threading.Event()
    # SIGTERM ends it like Ctrl-C: the cards are taken out and the agent stops.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        run_demo(
            service_url=args.service,
            username=args.username,
            password=password,
            workdir=workdir,
            id_card=args.id_card.resolve(),
            screen_port=args.screen_port,
            say=lambda line: print(line, flush=True),  # noqa: T201 - a demo talks
            stop=stop,
        )
    except KeyboardInterrupt:
        stop.set()
    except ReaderAgentError as exc:
        print(f"demo-counter: error: {exc}", flush=True)  # noqa: T201 - a demo talks
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
