"""A citizen at a counter, end to end, and then a search for anything they left behind.

The real stack: card-service on a fresh PostgreSQL database (logging at DEBUG into a
file), a counter station (``reader-agent run``, DEBUG, its own data directory and log)
with a staff reader and a citizen reader on the two vpcd slots, a virtual PIV staff
card issued at a station, and virtual chip ID cards with generated citizens.

The staff member signs in by tapping their card (the counter sign-in tap the service
already records). Sessions are driven through the counter screen's HTTP endpoints:
the CAN (or the MRZ) typed, the card read and verified, a service picked, started,
ended. Four visits: citizen A with the CAN (consent), A again with the MRZ, citizen B,
and A's card with a tampered data group (refused, recorded after a manual check).

Then the citizens' ID numbers (ASCII, UTF-16/32, BCD, hex, base64), their MRZ lines
and names, and a distinctive slice of the DG2 JPEG (raw, hex, base64, as a data URL)
are searched for in: a full pg_dump, every table read through SQLAlchemy, the service
log, the agent log, every file under the agent's and the service's directories, the
open-data CSV and JSON, the statistics, and the audit log.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest
from sqlalchemy import MetaData, create_engine, select, text

from reader_agent.virtual.id_card_data import Citizen, placeholder_jpeg
from reader_agent.virtual.id_card_state import initialise
from reader_agent.virtual.launcher import exclusive_slot, inserted_card, vpcd_reader_name
from reader_agent.virtual.vpcd import SLOT_PORTS
from tests.reader_agent.stack import ROOT, ReaderAgent, Service, issue_at_station, wait_for
from tests.support.databases import fresh_postgres_database
from tests.support.live_service import card_service, free_port

pytestmark = [
    pytest.mark.pcsc,
    pytest.mark.postgresql,
    pytest.mark.slow,
    pytest.mark.usefixtures("pcscd"),
]
STAFF_PORT, CITIZEN_PORT = SLOT_PORTS
CENTRE, COUNTER = "HUE-TTPVHCC", "HUE-TTPVHCC-Q01"
SERVICE = ("HT-KS", "Đăng ký khai sinh")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
RUN = ("run", "--config")


# ------------------------------------------------------------------ what must not be found


def _base64_forms(data: bytes) -> list[bytes]:
    """Base64 of ``data`` wherever it sits in a longer encoded string (three alignments,
    both alphabets), without the edge characters its neighbours would change."""
    forms = []
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + data)
        core = encoded[4 if shift else 0 : -4]
        forms += [core, core.replace(b"+", b"-").replace(b"/", b"_")]
    return forms


def needles(citizens: list[Citizen]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for who, citizen in zip("AB", citizens, strict=True):
        number = citizen.id_number
        found |= {
            f"{who} id ascii": number.encode(),
            f"{who} id utf-16-le": number.encode("utf-16-le"),
            f"{who} id utf-16-be": number.encode("utf-16-be"),
            f"{who} id utf-32-le": number.encode("utf-32-le"),
            f"{who} id bcd": bytes.fromhex(number),
            f"{who} id hex of ascii": number.encode().hex().encode(),
            f"{who} mrz line 1": citizen.mrz()[:30].encode(),
            f"{who} name utf-8": citizen.full_name.encode(),
            f"{who} name nfd": unicodedata.normalize("NFD", citizen.full_name).encode(),
            f"{who} name json-escaped": json.dumps(citizen.full_name)[1:-1].encode(),
        }
        for index, form in enumerate(_base64_forms(number.encode())):
            found[f"{who} id base64 {index}"] = form
    face = placeholder_jpeg()[2:42]  # the comment and quantisation segments of DG2's JPEG
    found |= {
        "face bytes": face,
        "face hex": face.hex().encode(),
        "face data url": b"data:image/jpeg",
    }
    for index, form in enumerate(_base64_forms(face)):
        found[f"face base64 {index}"] = form
    return found


def leaks(sources: dict[str, bytes], secrets: dict[str, bytes]) -> list[str]:
    return [
        f"{secret} in {source}"
        for source, content in sources.items()
        for secret, needle in secrets.items()
        if needle in content
    ]


# ------------------------------------------------------------------ the stack


class Api:
    """A person signed in to the service (demo credentials)."""

    def __init__(self, service: Service, username: str) -> None:
        accounts = json.loads((service.data_dir / "demo-credentials.json").read_text("utf-8"))
        password = next(a["password"] for a in accounts if a["username"] == username)
        self.client = httpx2.Client(base_url=f"{service.base_url}/api/v1", timeout=30)
        token = self.client.post(
            "/auth/sign-in", json={"username": username, "password": password}
        ).json()["access_token"]
        self.client.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.client.close()

    def get(self, path: str, **params: Any) -> httpx2.Response:
        answer = self.client.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return answer


class Screen:
    """The counter screen, as the clerk's browser talks to it."""

    def __init__(self, port: int) -> None:
        self.client = httpx2.Client(base_url=f"http://127.0.0.1:{port}/api", timeout=60)

    def close(self) -> None:
        self.client.close()

    def state(self) -> dict[str, Any]:
        return dict(self.client.get("/state").json())

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.client.post(path, json=body or {})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@pytest.fixture
def stack(postgres_admin, tmp_path) -> Iterator[dict[str, Any]]:
    with (
        exclusive_slot(STAFF_PORT),
        exclusive_slot(CITIZEN_PORT),
        fresh_postgres_database(postgres_admin) as url,
    ):
        service = Service(tmp_path / "service", url)
        service.prepare()
        service.env["ECARD_LOG_LEVEL"] = "DEBUG"
        service.start()
        try:
            yield {"service": service, "url": url, "tmp": tmp_path}
        finally:
            service.stop()


def _start_agent(agent: ReaderAgent) -> subprocess.Popen[str]:
    log = (agent.directory / "agent.log").open("a", encoding="utf-8")
    agent.process = subprocess.Popen(
        [sys.executable, "-m", "reader_agent.cli", "--log-level", "DEBUG", *RUN, str(agent.config)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log.close()
    return agent.process


def _visit(screen: Screen, card: Path, key: dict[str, Any], start: dict[str, Any], misbehave=None):
    args = ["--state", str(card)] + (["--misbehave", misbehave] if misbehave else [])
    with inserted_card(args, port=CITIZEN_PORT, subcommand="virtual-id-card"):
        shown = screen.post("/read", key)
    citizen = shown["citizen"]
    serving = screen.post("/start", {"service_code": SERVICE[0]} | start)
    assert serving["phase"] == "session"
    assert serving["citizen"]["number"] is None  # dropped once the session started
    session_id = serving["session"]["session_id"]
    ended = screen.post("/end")
    assert (ended["phase"], ended["citizen"]) == ("idle", None)
    return citizen, uuid.UUID(session_id)


# ------------------------------------------------------------------ the test


def test_a_counter_session_leaves_no_id_number_and_no_photo(stack) -> None:
    service, tmp = stack["service"], stack["tmp"]
    now = datetime.now(UTC)
    card_a, card_b = tmp / "cards" / "a", tmp / "cards" / "b"
    citizens = [initialise(card_a, now=now, seed=91), initialise(card_b, now=now, seed=92)]
    assert citizens[0].id_number != citizens[1].id_number
    centre, staff, agent, screen_port = _counter_station(service, tmp, [card_a, card_b])
    screen = Screen(screen_port)
    try:
        wait_for(lambda: "citizen desk" in agent.log(), timeout=30, explain=agent.explain)
        assert wait_for(lambda: screen.state()["csca_count"] == 2, timeout=10)
        _sign_in_with_the_staff_card(agent, staff, screen)

        a = citizens[0]
        mrz_key = {
            "document_number": a.document_number,
            "date_of_birth": a.date_of_birth.strftime("%y%m%d"),
            "date_of_expiry": a.date_of_expiry.strftime("%y%m%d"),
        }
        shown, first = _visit(
            screen, card_a, {"can": a.can}, {"legal_basis": "consent", "consent": True}
        )
        assert (shown["name"], shown["accepted"]) == (a.full_name, True)
        assert shown["face"].startswith("data:image/jpeg;base64,")
        passed = {c["name"]: c["status"] for c in shown["checks"]}
        for check in ("passive_authentication", "chip_authentication", "active_authentication"):
            assert passed[check] == "passed"
        _, again = _visit(screen, card_a, {"mrz": mrz_key}, {"legal_basis": "public_task"})
        _, other = _visit(screen, card_b, {"can": citizens[1].can}, {"legal_basis": "public_task"})
        refused, manual = _visit(
            screen,
            card_a,
            {"can": a.can},
            {"legal_basis": "legal_obligation", "manual_check": True},
            misbehave="tampered-dg",
        )
        assert refused["accepted"] is False
        assert [r["code"] for r in refused["reasons"]] == ["data_group_hash_mismatch"]
        assert screen.state()["citizen"] is None
    finally:
        screen.close()
        agent.stop()

    _check_sessions(stack["url"], first, again, other, manual, staff.holder_id)
    exports = _exports(service, centre, now)
    sources = _sources(stack["url"], service, agent) | exports
    assert leaks(sources, needles(citizens)) == []
    assert len(sources) > 10  # the scan did look somewhere


def _counter_station(service: Service, tmp: Path, cards: list[Path]):
    """CSCAs imported, a catalogue entry, a staff card, and a running counter agent."""
    # The operator trusts the virtual cards' test CSCAs (each card has its own test PKI).
    for card in cards:
        imported = card_service(
            "csca-import",
            str(card / "master-list.ml"),
            "--anchor",
            str(card / "csca.der"),
            env=service.env,
        )
        assert "1 new CSCA" in imported.stdout
    api = Api(service, "admin")
    added = api.client.post(
        "/service-usage/catalogue", json={"code": SERVICE[0], "name": SERVICE[1]}
    )
    api.close()
    assert added.is_success, added.text
    with service.admin() as admin:
        centre, counter = admin.unit_id(CENTRE), admin.unit_id(COUNTER)
        staff = issue_at_station(service, admin, centre, tmp / "staff", STAFF_PORT)
        ticket = admin.register_reader(
            "Quầy 01", site_unit_id=counter, location="Quầy 01", mode="counter"
        )
        admin.allow_always(
            holder_ids=[staff.holder_id], reader_ids=[ticket.reader_id], unit_id=centre
        )
    screen_port = free_port()
    agent = ReaderAgent(
        tmp / "counter",
        service.base_url,
        counter,
        "counter",
        vpcd_reader_name(STAFF_PORT),
        extra=(
            '[door]\nkind = "none"\n[counter]\n'
            f'citizen_reader = "{vpcd_reader_name(CITIZEN_PORT)}"\nscreen_port = {screen_port}\n'
        ),
    )
    agent.enrol(ticket.enrolment_token)
    _start_agent(agent)
    return centre, staff, agent, screen_port


def _sign_in_with_the_staff_card(agent: ReaderAgent, staff, screen: Screen) -> None:
    """The clerk taps their own card at the counter (again if a tap did not read: a
    shared machine's pcscd may be restarted by another test under us)."""
    for _ in range(3):
        seen = len(agent.decisions())

        def new_decisions(seen: int = seen) -> list[dict[str, Any]]:
            return agent.decisions()[seen:]

        with inserted_card(["--state", str(staff.state)], port=STAFF_PORT):
            decisions = wait_for(new_decisions, timeout=15, explain=agent.explain)
        if decisions[0]["decision"] == "granted":
            break
    assert decisions[0]["decision"] == "granted", agent.explain()
    wait_for(
        lambda: (screen.state()["counter"] or {}).get("staff_name") == "Võ Thị Sáu",
        timeout=20,
        explain=agent.explain,
    )


def _check_sessions(url, first, again, other, manual, staff_id) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = {
                row.id: row
                for row in connection.execute(text("SELECT * FROM counter_sessions")).mappings()
            }
    finally:
        engine.dispose()
    assert set(rows) == {first, again, other, manual}
    for verified in (first, again, other):
        row = rows[verified]
        assert HEX64.fullmatch(row["citizen_ref"])
        assert (row["verdict_pa_ok"], row["verdict_chip_auth"], row["verdict_not_expired"]) == (
            True,
            "ca",
            True,
        )
        assert (row["verdict_accepted"], row["manual_check"], row["document_type"]) == (
            True,
            False,
            "cccd",
        )
        assert row["ended_at"] is not None
        assert row["staff_holder_id"] == staff_id
    assert rows[first]["citizen_ref"] == rows[again]["citizen_ref"]  # a repeat visit
    assert rows[other]["citizen_ref"] != rows[first]["citizen_ref"]
    assert (rows[first]["legal_basis"], rows[again]["legal_basis"]) == ("consent", "public_task")
    assert rows[first]["consent_given_at"] is not None
    assert rows[again]["consent_given_at"] is None
    tampered = rows[manual]
    assert (tampered["citizen_ref"], tampered["verdict_accepted"], tampered["manual_check"]) == (
        None,
        False,
        True,
    )
    assert tampered["verdict_reasons"] == ["data_group_hash_mismatch"]
    assert tampered["legal_basis"] == "legal_obligation"


def _exports(service: Service, centre: uuid.UUID, now: datetime) -> dict[str, bytes]:
    day = now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    period = {"from": day, "to": day}
    admin, desk = Api(service, "admin"), Api(service, "counter.q01")
    stats = desk.get(
        f"/service-usage/centres/{centre}/statistics", by=["service", "verification"], **period
    )
    groups = {row["key"]["verification"]: row for row in stats.json()}
    assert (groups["chip_verified"]["count"], groups["chip_verified"]["citizens"]) == (3, 2)
    assert groups["chip_verified"]["repeat_visits"] == 1
    audit = admin.get("/audit", limit="500")
    assert any(e["action"] == "csca.master_list.imported" for e in audit.json()["items"])
    found = {
        "statistics (counter staff)": stats.content,
        "statistics by counter and hour": admin.get(
            f"/service-usage/centres/{centre}/statistics",
            by=["counter", "hour", "legal_basis"],
            **period,
        ).content,
        "open data json": admin.get("/service-usage/open-data.json", **period).content,
        "open data csv": admin.get("/service-usage/open-data.csv", **period).content,
        "audit log (api)": audit.content,
    }
    admin.close()
    desk.close()
    return found


def _sources(url: str, service: Service, agent: ReaderAgent) -> dict[str, bytes]:
    libpq = "postgresql://" + url.split("://", 1)[1]
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--dbname", libpq], capture_output=True, check=True, timeout=120
    ).stdout
    assert b"COPY public.counter_sessions" in dump
    sources = {"pg_dump": dump, **_tables(url)}
    for label, directory in (("service", service.data_dir), ("agent", agent.directory)):
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            sources[f"{label} file {path.relative_to(directory)}"] = path.read_bytes()
    assert any(name.endswith("service.log") for name in sources)
    assert any(name.endswith("agent.log") for name in sources)
    assert any("outbox.sqlite3" in name for name in sources)
    return sources


def _tables(url: str) -> dict[str, bytes]:
    """Every row of every table, values as stored (bytes raw, the rest as text)."""
    engine = create_engine(url)
    metadata = MetaData()
    found: dict[str, bytes] = {}
    try:
        metadata.reflect(engine)
        with engine.connect() as connection:
            for name, table in metadata.tables.items():
                parts = [
                    value if isinstance(value, bytes) else str(value).encode()
                    for row in connection.execute(select(table))
                    for value in row
                ]
                found[f"table {name}"] = b"\n".join(parts)
    finally:
        engine.dispose()
    assert found["table counter_sessions"]
    return found
