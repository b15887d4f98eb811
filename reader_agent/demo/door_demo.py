"""A door you can watch, start to finish, against a running service (``make run``):

1. as the demo administrator: a holder, a requested card, an issuance station and a
   door (each registered, then enrolled here with its one-time token), and a rule
   that lets the holder through that door at any hour;
2. a blank virtual PIV card is put in the station's reader and personalised there;
3. the door agent runs; the card is tapped: granted;
4. the card is revoked; two seconds later it is tapped again: denied.

Everything goes through the real PC/SC stack (pcscd + vpcd) and the service's HTTP
API, exactly as in production; the files it makes stay in ``workdir`` to look at.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader_agent.agent import Agent, ReaderState
from reader_agent.client.service import ServiceClient
from reader_agent.client.tokens import ReaderTokenSigner
from reader_agent.demo.admin import AdminApi
from reader_agent.enrol import enrol, first_sync
from reader_agent.feedback import TapOutcome, describe
from reader_agent.issuance_station import issue_card
from reader_agent.pcsc import PcscConnection
from reader_agent.piv import PivClient
from reader_agent.settings import ReaderSettings, SettingsError, load_settings
from reader_agent.state.identity import ReaderIdentity
from reader_agent.virtual.launcher import (
    exclusive_slot,
    inserted_card,
    pcscd_with_vpcd_available,
    vpcd_reader_name,
)

HOLDER_NAME = "Nguyễn Văn An"
UNIT_CODE = "HUE-SNV-VP"
REVOCATION_WAIT_S = 2.0


@dataclass(frozen=True)
class DemoOptions:
    service_url: str
    username: str
    password: str
    workdir: Path
    port: int


def password_from(credentials: Path, username: str) -> str:
    """The demo password ``card-service demo-seed`` saved for ``username``."""
    try:
        accounts = json.loads(credentials.read_text("utf-8"))
        return str(next(a["password"] for a in accounts if a["username"] == username))
    except (OSError, ValueError, StopIteration, KeyError, TypeError) as exc:
        raise SettingsError(
            f"no password for {username!r} in {credentials}: run `make run` first"
        ) from exc


class _Shown:
    """The door's feedback (the console line, in Vietnamese), and a way to wait for it."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self._outcomes: list[TapOutcome] = []
        self._changed = threading.Condition()

    def show(self, outcome: TapOutcome) -> None:
        self._say(f"   [door] {describe(outcome)}")
        with self._changed:
            self._outcomes.append(outcome)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> TapOutcome:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._outcomes) >= count, timeout):
                raise SettingsError("the door saw no tap; is pcscd running with vpcd?")
            return self._outcomes[count - 1]


def _reader_toml(path: Path, *, service_url: str, unit: uuid.UUID, mode: str, reader: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'service_url = "{service_url}"\n'
        f'data_dir = "{path.stem}-data"\n\n'
        f'[reader]\npcsc_reader = "{reader}"\n\n'
        f'[enrolment]\nsite_unit_id = "{unit}"\nmode = "{mode}"\n\n'
        '[door]\nkind = "simulated"\n',
        encoding="utf-8",
    )
    return path


def _enrolled(settings: ReaderSettings, token: str) -> ReaderIdentity:
    identity = enrol(settings, token)
    if not first_sync(settings, identity):
        raise SettingsError("the reader could not fetch its trust material from the service")
    return identity


def run_demo(options: DemoOptions, say: Callable[[str], None]) -> bool:
    """Run the story; True when the door granted, then denied after the revocation."""
    if not pcscd_with_vpcd_available():
        raise SettingsError("pcscd with the vpcd readers is not running: run `make pcscd`")
    workdir = options.workdir / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    reader = vpcd_reader_name(options.port)
    with AdminApi.sign_in(options.service_url, options.username, options.password) as admin:
        unit = admin.unit_id(UNIT_CODE)
        holder = admin.create_holder(HOLDER_NAME, unit)
        card_id = admin.request_card(holder)
        say(f"1. {HOLDER_NAME}: card {card_id} requested")
        station_ticket = admin.register_reader(
            "Trạm cấp thẻ (demo)", site_unit_id=unit, location="Phòng tổ chức", mode="issuance"
        )
        door_ticket = admin.register_reader(
            "Cửa chính (demo)", site_unit_id=unit, location="Cổng chính", mode="door"
        )
        admin.allow_always(holder_ids=[holder], reader_ids=[door_ticket.reader_id], unit_id=unit)
        station, door = (
            load_settings(
                _reader_toml(
                    workdir / f"{name}.toml",
                    service_url=options.service_url,
                    unit=unit,
                    mode=mode,
                    reader=reader,
                )
            )
            for name, mode in (("station", "issuance"), ("door", "door"))
        )
        station_identity = _enrolled(station, station_ticket.enrolment_token)
        _enrolled(door, door_ticket.enrolment_token)
        say(f"   station and door enrolled ({workdir})")
        card_state = workdir / "card.json"
        with exclusive_slot(options.port):
            _issue(
                station,
                station_identity,
                card_id,
                card_state=card_state,
                port=options.port,
                say=say,
            )
            return _tap_revoke_tap(
                door, admin, card_id, card_state=card_state, port=options.port, say=say
            )


def _issue(
    settings: ReaderSettings,
    identity: ReaderIdentity,
    card_id: uuid.UUID,
    *,
    card_state: Path,
    port: int,
    say: Callable[[str], None],
) -> None:
    say("2. a blank virtual card goes into the station's reader")
    state = ReaderState.restore(settings, now=datetime.now(UTC))
    client = ServiceClient(
        settings.base_url, signer=ReaderTokenSigner(identity.reader_id, identity.private_key)
    )
    try:
        with (
            inserted_card(["--state", str(card_state)], port=port) as card,
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


def _tap_revoke_tap(
    settings: ReaderSettings,
    admin: AdminApi,
    card_id: uuid.UUID,
    *,
    card_state: Path,
    port: int,
    say: Callable[[str], None],
) -> bool:
    shown = _Shown(say)
    stop = threading.Event()
    agent = Agent.open(settings, feedback=shown, stop=stop)
    thread = threading.Thread(target=agent.run, name="door", daemon=True)
    thread.start()
    try:
        time.sleep(1.0)  # the door is watching its reader
        say("3. the card is tapped at the door:")
        with inserted_card(["--state", str(card_state)], port=port):
            first = shown.wait_for(1, timeout=10)
        say(f"4. the card is revoked; {REVOCATION_WAIT_S:.0f} s later it is tapped again:")
        admin.revoke_card(card_id)
        time.sleep(REVOCATION_WAIT_S)
        with inserted_card(["--state", str(card_state)], port=port):
            second = shown.wait_for(2, timeout=10)
    finally:
        stop.set()
        thread.join(timeout=10)
    return first.decision.value == "granted" and second.reason == "card_revoked"
