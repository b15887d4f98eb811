"""A counter station's calls (reader-authenticated): catalogue, status, a citizen's
session with the chip verdict and the legal basis, its end. The document number is
turned into the keyed reference and appears nowhere else."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from card_service.audit.models import AuditEntry
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from card_service.service_usage.counters import sign_in
from card_service.service_usage.models import CounterSession
from tests.card_service.events.factories import make_holder
from tests.support.readers import ReaderKey

NUMBER = "046201000123"
OTHER = "079185004321"
ACCEPTED = {
    "pa_ok": True,
    "chip_auth": "ca",
    "not_expired": True,
    "accepted": True,
    "reasons": [],
}


def _enrol(client, as_user, unit, mode: str) -> ReaderKey:
    ticket = client.post(
        "/api/v1/readers",
        json={
            "name": f"{mode} {unit.code}",
            "site_unit_id": str(unit.id),
            "location": "Quầy",
            "mode": mode,
        },
        headers=as_user("admin"),
    ).json()
    key = ReaderKey()
    answer = client.post(
        "/api/v1/reader/enrol",
        json={
            "token": ticket["enrolment_token"],
            "site_unit_id": str(unit.id),
            "mode": mode,
            "public_key": key.spki_b64,
            "agent_version": "test",
        },
    )
    assert answer.status_code == 200, answer.text
    key.reader_id = uuid.UUID(answer.json()["reader_id"])
    return key


class Desk:
    """A counter with its reader, someone signed in, and a small catalogue."""

    def __init__(self, client, clock, key, counter, staff) -> None:
        self.client, self.clock, self.key = client, clock, key
        self.counter, self.staff = counter, staff

    def get(self, path: str):
        return self.client.get(path, headers=self.key.headers(self.clock.now))

    def post(self, path: str, body=None):
        return self.client.post(path, json=body, headers=self.key.headers(self.clock.now))

    def start(self, **overrides):
        body = {
            "service_code": "HT-KS",
            "legal_basis": "public_task",
            "document": {
                "document_type": "cccd",
                "issuing_state": "VNM",
                "document_number": NUMBER,
                "verdict": ACCEPTED,
            },
        }
        body.update(overrides)
        return self.post("/api/v1/reader/counter/sessions", body)


@pytest.fixture
def desk(client, org, session, as_user, clock, pki) -> Desk:
    counter = create_unit(
        session, kind=UnitKind.COUNTER, code="Q-DESK", name="Quầy 5", parent=org.units["centre"]
    )
    staff = make_holder(session, org.units["centre"], "Lê Thị Thu", "TT501")
    session.commit()
    for code, name in (("HT-KS", "Đăng ký khai sinh"), ("DD-CC", "Chứng thực bản sao")):
        added = client.post(
            "/api/v1/service-usage/catalogue",
            json={"code": code, "name": name},
            headers=as_user("admin"),
        )
        assert added.status_code == 201
    key = _enrol(client, as_user, counter, "counter")
    sign_in(session, counter=counter, staff_id=staff.id, now=clock.now)
    session.commit()
    return Desk(client, clock, key, counter, staff)


def _key(tmp_path):
    return (tmp_path / "keys" / "citizen-ref.key").read_bytes()


def _expected_ref(key: bytes, number: str) -> str:
    return hmac.new(key, f"VNM|{number}".encode(), hashlib.sha256).hexdigest()


def test_catalogue_and_status_for_the_counter(desk) -> None:
    catalogue = desk.get("/api/v1/reader/counter/catalogue")
    assert catalogue.status_code == 200, catalogue.text
    assert [s["code"] for s in catalogue.json()["services"]] == ["DD-CC", "HT-KS"]
    status = desk.get("/api/v1/reader/counter/status").json()
    assert status["counter_name"] == "Quầy 5"
    assert status["staff_name"] == "Lê Thị Thu"
    assert status["open_session"] is None


def test_a_verified_citizen_session_keeps_the_verdict_and_a_keyed_reference(
    desk, session, tmp_path
) -> None:
    started = desk.start(legal_basis="consent", consent_given_at=desk.clock.now.isoformat())
    assert started.status_code == 201, started.text
    assert NUMBER not in started.text
    body = started.json()
    assert (body["service_code"], body["service_name"]) == ("HT-KS", "Đăng ký khai sinh")
    status = desk.get("/api/v1/reader/counter/status").json()
    assert status["open_session"]["session_id"] == body["session_id"]

    desk.clock.advance(minutes=7)
    ended = desk.post(f"/api/v1/reader/counter/sessions/{body['session_id']}/end")
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_at"] == desk.clock.now.isoformat().replace("+00:00", "Z")

    row = session.get(CounterSession, uuid.UUID(body["session_id"]))
    session.refresh(row)
    assert row.citizen_ref == _expected_ref(_key(tmp_path), NUMBER)
    assert (row.verdict_pa_ok, row.verdict_chip_auth, row.verdict_not_expired) == (
        True,
        "ca",
        True,
    )
    assert (row.verdict_accepted, row.verdict_reasons, row.manual_check) == (True, [], False)
    assert (row.legal_basis, row.document_type) == ("consent", "cccd")
    assert row.consent_given_at == desk.clock.now - timedelta(minutes=7)
    assert row.staff_holder_id == desk.staff.id
    assert (tmp_path / "keys" / "citizen-ref.key").stat().st_mode & 0o077 == 0


def test_repeat_visits_share_a_reference_and_another_citizen_does_not(desk, session) -> None:
    refs = []
    for number in (NUMBER, NUMBER, OTHER):
        document = {
            "document_type": "cccd",
            "issuing_state": "VNM",
            "document_number": number,
            "verdict": ACCEPTED,
        }
        started = desk.start(document=document)
        assert started.status_code == 201, started.text
        desk.post(f"/api/v1/reader/counter/sessions/{started.json()['session_id']}/end")
        refs.append(
            session.get(CounterSession, uuid.UUID(started.json()["session_id"])).citizen_ref
        )
    assert refs[0] == refs[1] != refs[2]


def test_a_refused_chip_is_recorded_only_after_a_manual_check_and_without_its_number(
    desk, session
) -> None:
    refused = {
        "pa_ok": False,
        "chip_auth": "ca",
        "not_expired": True,
        "accepted": False,
        "reasons": ["data_group_hash_mismatch"],
    }
    document = {"document_type": "cccd", "issuing_state": "VNM", "verdict": refused}
    without_check = desk.start(document=document)
    assert without_check.status_code == 422
    with_number = desk.start(document=document | {"document_number": NUMBER}, manual_check=True)
    assert with_number.status_code == 422
    assert NUMBER not in with_number.text  # validation errors never echo input

    started = desk.start(document=document, manual_check=True)
    assert started.status_code == 201, started.text
    row = session.get(CounterSession, uuid.UUID(started.json()["session_id"]))
    assert (row.citizen_ref, row.verdict_accepted, row.manual_check) == (None, False, True)
    assert row.verdict_reasons == ["data_group_hash_mismatch"]


def test_no_chip_read_needs_a_manual_check(desk) -> None:
    assert desk.start(document=None).status_code == 422
    assert desk.start(document=None, manual_check=True).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"legal_basis": "consent"}, 422),  # consent without its time
        ({"legal_basis": "whim"}, 422),
        ({"consent_given_at": "2026-11-24T02:00:00Z"}, 422),  # a time without consent
        ({"service_code": "NO-SUCH"}, 404),
        (
            {
                "document": {
                    "document_type": "cccd",
                    "issuing_state": "VNM",
                    "document_number": NUMBER,
                    "verdict": ACCEPTED | {"reasons": ["expired"]},
                }
            },
            422,
        ),
    ],
)
def test_inconsistent_requests_are_refused_without_echoing_the_number(
    desk, overrides, status
) -> None:
    answer = desk.start(**overrides)
    assert answer.status_code == status, answer.text
    assert NUMBER not in answer.text


def test_consent_given_in_the_future_is_refused(desk) -> None:
    later = (desk.clock.now + timedelta(hours=1)).isoformat()
    answer = desk.start(legal_basis="consent", consent_given_at=later)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_session_evidence"


def test_only_the_counters_own_reader_may_call(desk, client, as_user, org, session) -> None:
    door = _enrol(client, as_user, org.units["snv"], "door")
    for path in ("/api/v1/reader/counter/catalogue", "/api/v1/reader/counter/status"):
        answer = client.get(path, headers=door.headers(desk.clock.now))
        assert answer.status_code == 403
        assert answer.json()["code"] == "counter_reader_required"
    answer = client.post(
        "/api/v1/reader/counter/sessions",
        json={"service_code": "HT-KS", "legal_basis": "public_task", "manual_check": True},
        headers=door.headers(desk.clock.now),
    )
    assert answer.status_code == 403

    other_counter = create_unit(
        session, kind=UnitKind.COUNTER, code="Q-OTHER", name="Quầy 6", parent=org.units["centre"]
    )
    session.commit()
    other = _enrol(client, as_user, other_counter, "counter")
    started = desk.start()
    assert started.status_code == 201
    foreign_end = client.post(
        f"/api/v1/reader/counter/sessions/{started.json()['session_id']}/end",
        headers=other.headers(desk.clock.now),
    )
    assert foreign_end.status_code == 404
    assert desk.start().json()["code"] == "counter_busy"


def test_nobody_signed_in_means_no_session(desk, session) -> None:
    from card_service.service_usage.counters import sign_out

    sign_out(session, counter=desk.counter, staff_id=desk.staff.id, now=desk.clock.now)
    session.commit()
    answer = desk.start()
    assert answer.status_code == 409
    assert answer.json()["code"] == "counter_not_signed_in"


def test_the_number_reaches_no_table_and_no_audit_entry(desk, session) -> None:
    started = desk.start()
    desk.post(f"/api/v1/reader/counter/sessions/{started.json()['session_id']}/end")
    rows = session.scalars(select(CounterSession)).all()
    dumped = json.dumps(
        [{c.name: str(getattr(r, c.name)) for c in CounterSession.__table__.columns} for r in rows]
    )
    assert NUMBER not in dumped
    audit = json.dumps([e.data for e in session.scalars(select(AuditEntry))], ensure_ascii=False)
    assert NUMBER not in audit


def test_statistics_count_citizens_and_repeat_visits(desk, session, as_user, org) -> None:
    for number in (NUMBER, NUMBER, OTHER):
        document = {
            "document_type": "cccd",
            "issuing_state": "VNM",
            "document_number": number,
            "verdict": ACCEPTED,
        }
        started = desk.start(document=document)
        desk.clock.advance(minutes=3)
        desk.post(f"/api/v1/reader/counter/sessions/{started.json()['session_id']}/end")
    started = desk.start(document=None, manual_check=True)
    desk.clock.advance(minutes=3)
    desk.post(f"/api/v1/reader/counter/sessions/{started.json()['session_id']}/end")
    day = desk.clock.now.date().isoformat()
    stats = desk.client.get(
        f"/api/v1/service-usage/centres/{org.units['centre'].id}/statistics",
        params={"from": day, "to": day, "by": ["service", "verification"]},
        headers=as_user("counter"),
    )
    assert stats.status_code == 200, stats.text
    assert [
        (r["key"]["verification"], r["count"], r["citizens"], r["repeat_visits"])
        for r in stats.json()
    ] == [
        ("chip_verified", 3, 2, 1),
        ("not_read", 1, 0, 0),
    ]
    assert all("citizen_ref" not in json.dumps(r) for r in stats.json())
