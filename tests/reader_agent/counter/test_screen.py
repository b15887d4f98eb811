"""The counter screen over real HTTP on 127.0.0.1: the page, the JSON calls, and the
rules that keep other web pages and other hosts out; every answer ``no-store``."""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx2
import pytest

from reader_agent.counter.desk import CounterDesk
from reader_agent.counter.screen import CounterScreen
from reader_agent.counter.view import CounterInfo
from reader_agent.emrtd.errors import AccessControlError
from reader_agent.virtual.id_card_data import placeholder_jpeg
from tests.reader_agent.counter.conftest import Clock, FakeService


@pytest.fixture
def screen(reads):
    service = FakeService()
    outcomes = {"123456": reads[None], "654321": reads["cloned"]}

    def read_card(key, now):
        if key.can not in outcomes:
            raise AccessControlError("wrong CAN", retries_left=1)
        return outcomes[key.can]

    desk = CounterDesk(read_card=read_card, api=service, clock=Clock(), hold=timedelta(minutes=5))
    screen = CounterScreen(desk, CounterInfo(service), port=0, csca_count=lambda: 1)
    screen.start()
    client = httpx2.Client(base_url=screen.url.rstrip("/"), timeout=10)
    yield screen, client, service
    client.close()
    screen.close()


def _post(client, path, body=None, **headers):
    return client.post(path, json=body or {}, headers=headers)


def test_the_page_and_its_files_are_served_without_caching(screen) -> None:
    _, client, _ = screen
    for path in ("/", "/counter.js", "/counter.css"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert "Đọc thẻ" in client.get("/").text
    assert client.get("/../secrets").status_code == 404


def test_a_read_start_and_end_through_the_screen(screen, citizen) -> None:
    _, client, service = screen
    idle = client.get("/api/state").json()
    assert (idle["phase"], idle["counter"]["staff_name"]) == ("idle", "Trần Văn Minh")
    assert [s["code"] for s in idle["services"]] == ["HT-KS"]

    read = _post(client, "/api/read", {"can": "123456"})
    assert read.status_code == 200, read.text
    assert read.headers["Cache-Control"] == "no-store"
    shown = read.json()["citizen"]
    assert shown["name"] == citizen.full_name
    assert shown["accepted"] is True
    assert shown["number"].endswith(citizen.id_number[-4:])
    assert citizen.id_number not in read.text
    prefix = "data:image/jpeg;base64,"
    assert shown["face"].startswith(prefix)
    assert base64.b64decode(shown["face"][len(prefix) :]) == placeholder_jpeg()

    started = _post(
        client, "/api/start", {"service_code": "HT-KS", "legal_basis": "legal_obligation"}
    )
    assert started.json()["phase"] == "session"
    assert service.started[0].document.document_number == citizen.id_number
    ended = _post(client, "/api/end")
    assert ended.json()["phase"] == "idle"
    assert ended.json()["citizen"] is None


def test_a_refused_card_shows_its_reasons_and_needs_the_manual_check(screen) -> None:
    _, client, service = screen
    shown = _post(client, "/api/read", {"can": "654321"}).json()["citizen"]
    assert shown["accepted"] is False
    assert [r["code"] for r in shown["reasons"]] == [
        "chip_authentication_failed",
        "active_authentication_failed",
    ]
    refused = _post(client, "/api/start", {"service_code": "HT-KS", "legal_basis": "public_task"})
    assert refused.status_code == 409
    assert refused.json()["error"] == "manual_check_missing"
    accepted = _post(
        client,
        "/api/start",
        {"service_code": "HT-KS", "legal_basis": "public_task", "manual_check": True},
    )
    assert accepted.status_code == 200
    assert service.started[0].manual_check


def test_a_wrong_can_says_how_many_tries_are_left(screen) -> None:
    _, client, _ = screen
    answer = _post(client, "/api/read", {"can": "000000"})
    assert answer.status_code == 409
    assert (answer.json()["error"], answer.json()["retries_left"]) == ("wrong_can", 1)
    malformed = _post(client, "/api/read", {"can": "12ab56"})
    assert malformed.status_code == 400
    assert "12ab56" not in malformed.text


def test_other_origins_hosts_and_bodies_are_refused(screen) -> None:
    owner, client, _ = screen
    assert _post(client, "/api/clear", Origin="http://evil.example").status_code == 403
    assert _post(client, "/api/clear", Host="evil.example").status_code == 403
    assert (
        client.get("/api/state", headers={"Host": f"evil.example:{owner.port}"}).status_code == 421
    )
    form = client.post("/api/clear", content=b"a=1", headers={"Content-Type": "text/plain"})
    assert form.status_code == 400
    same_origin = _post(client, "/api/clear", Origin=f"http://127.0.0.1:{owner.port}")
    assert same_origin.status_code == 200
    assert _post(client, "/api/nothing").status_code == 404
