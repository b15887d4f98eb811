"""Access policy: edited through the API, evaluated online, compiled and signed per reader."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import pytest

from crypto.documents import open_document
from crypto.keys import key_id, load_public_key_der
from reader_protocol.config import CONFIG_KIND, CONFIG_VERSION, ReaderConfig
from reader_protocol.policy import CompiledPolicy
from tests.support.readers import ReaderKey


@pytest.fixture
def door(client, as_user, org, pki):
    ticket = client.post(
        "/api/v1/readers",
        json={
            "name": "Cửa Sở Nội vụ",
            "site_unit_id": str(org.units["snv"].id),
            "location": "Cửa chính",
            "mode": "door",
        },
        headers=as_user("admin"),
    ).json()
    key = ReaderKey()
    body = client.post(
        "/api/v1/reader/enrol",
        json={
            "token": ticket["enrolment_token"],
            "site_unit_id": str(org.units["snv"].id),
            "mode": "door",
            "public_key": key.spki_b64,
        },
    ).json()
    key.reader_id = uuid.UUID(body["reader_id"])
    return key, body


@pytest.fixture
def policy(client, as_user, org, door):
    admin = as_user("admin")
    holder = client.post(
        "/api/v1/holders",
        json={
            "staff_number": "AC1",
            "full_name": "Đinh Văn Cửa",
            "unit_id": str(org.units["snv"].id),
        },
        headers=admin,
    ).json()
    schedule = client.post(
        "/api/v1/access/schedules",
        json={
            "name": "Giờ hành chính",
            "windows": [{"weekday": d, "start": "07:00", "end": "18:00"} for d in range(5)],
        },
        headers=admin,
    ).json()
    group = client.post(
        "/api/v1/access/groups",
        json={"name": "Cán bộ SNV", "unit_id": str(org.units["snv"].id)},
        headers=admin,
    ).json()
    doors = client.post(
        "/api/v1/access/door-groups",
        json={"name": "Cửa SNV", "unit_id": str(org.units["snv"].id)},
        headers=admin,
    ).json()
    assert (
        client.put(
            f"/api/v1/access/groups/{group['id']}/members",
            json={"holder_id": holder["id"], "valid_until": "2026-12-31"},
            headers=admin,
        ).status_code
        == 200
    )
    assert (
        client.put(
            f"/api/v1/access/door-groups/{doors['id']}/doors",
            json={"reader_id": str(door[0].reader_id)},
            headers=admin,
        ).status_code
        == 204
    )
    rule = client.post(
        "/api/v1/access/rules",
        json={
            "name": "SNV giờ hành chính",
            "access_group_id": group["id"],
            "door_group_id": doors["id"],
            "schedule_id": schedule["id"],
        },
        headers=admin,
    )
    assert rule.status_code == 201, rule.text
    return holder


def _check(client, as_user, holder, reader, at):
    return client.get(
        "/api/v1/access/check",
        params={"holder_id": holder["id"], "reader_id": str(reader), "at": at.isoformat()},
        headers=as_user("admin"),
    ).json()


def test_online_evaluation(client, as_user, door, policy) -> None:
    reader = door[0].reader_id
    tuesday_9am = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
    sunday = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    after_validity = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
    national_day = datetime(2026, 9, 2, 2, 0, tzinfo=UTC)
    first = _check(client, as_user, policy, reader, tuesday_9am)
    assert first["granted"] is True, first
    assert _check(client, as_user, policy, reader, sunday)["reason"] == "outside_allowed_hours"
    assert _check(client, as_user, policy, reader, after_validity)["reason"] == (
        "holder_validity_ended"
    )
    # National Day 2026 falls on a Wednesday; the holiday comes from the work calendar.
    assert _check(client, as_user, policy, reader, national_day)["reason"] == "closed_on_holiday"


def test_an_empty_policy_denies(client, as_user, door, org) -> None:
    holder = client.post(
        "/api/v1/holders",
        json={
            "staff_number": "AC2",
            "full_name": "Không Quyền",
            "unit_id": str(org.units["snv"].id),
        },
        headers=as_user("admin"),
    ).json()
    decision = _check(
        client, as_user, holder, door[0].reader_id, datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
    )
    assert decision["granted"] is False


def test_the_reader_gets_a_signed_config_that_decides_like_the_service(
    client, as_user, door, policy, clock
) -> None:
    key, enrolment = door
    response = client.get("/api/v1/reader/config", headers=key.headers(clock.now))
    assert response.status_code == 200, response.text
    config_key = load_public_key_der(base64.b64decode(enrolment["config_keys"][0]))
    document = open_document(
        response.content,
        kind=CONFIG_KIND,
        versions={CONFIG_VERSION},
        keys={key_id(config_key): config_key},
    )
    config = ReaderConfig.model_validate(document.content)
    assert config.reader_id == key.reader_id
    assert [r.name for r in config.rules] == ["SNV giờ hành chính"]
    assert config.holders[0].display_name == "Đinh Văn Cửa"
    assert any(day.month == 9 and day.day == 2 for day in config.holidays)
    local = CompiledPolicy(config)
    at = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
    assert local.evaluate(uuid.UUID(policy["id"]), at).granted


def test_a_policy_change_bumps_the_version_readers_see(client, as_user, door, policy, clock):
    key, _ = door
    before = client.get("/api/v1/reader/config", headers=key.headers(clock.now))
    version = int(before.headers["X-Config-Version"])
    group = client.get("/api/v1/access/groups", headers=as_user("admin")).json()["items"][0]
    client.delete(
        f"/api/v1/access/groups/{group['id']}/members/{policy['id']}", headers=as_user("admin")
    )
    after = client.get("/api/v1/reader/config", headers=key.headers(clock.now))
    assert int(after.headers["X-Config-Version"]) > version
    beat = client.post(
        "/api/v1/reader/heartbeat",
        json={"sent_at": clock.now.isoformat(), "queue_depth": 0},
        headers=key.headers(clock.now),
    ).json()
    assert beat["config_version"] == int(after.headers["X-Config-Version"])


def test_names_already_used_are_refused(client, as_user, org) -> None:
    body = {"name": "Trùng", "unit_id": str(org.units["snv"].id)}
    assert (
        client.post("/api/v1/access/groups", json=body, headers=as_user("admin")).status_code == 201
    )
    again = client.post("/api/v1/access/groups", json=body, headers=as_user("admin"))
    assert again.status_code == 409
    assert again.json()["code"] == "access_name_taken"


def test_bad_schedules_are_refused(client, as_user) -> None:
    bad = {"name": "Sai", "windows": [{"weekday": 7, "start": "07:00", "end": "18:00"}]}
    assert (
        client.post("/api/v1/access/schedules", json=bad, headers=as_user("admin")).status_code
        == 422
    )


def test_the_emergency_group_is_compiled_into_every_readers_config(
    client, as_user, door, policy, access_context, clock
) -> None:
    key, enrolment = door
    admin = as_user("admin")
    group = client.post(
        "/api/v1/access/groups",
        headers=admin,
        json={
            "name": "Ứng cứu khẩn cấp",
            "unit_id": policy["unit_id"],
        },
    ).json()
    client.put(
        f"/api/v1/access/groups/{group['id']}/members",
        headers=admin,
        json={"holder_id": policy["id"]},
    )
    config_key = load_public_key_der(base64.b64decode(enrolment["config_keys"][0]))

    def emergency_in_config():
        response = client.get("/api/v1/reader/config", headers=key.headers(clock.now))
        document = open_document(
            response.content,
            kind=CONFIG_KIND,
            versions={CONFIG_VERSION},
            keys={key_id(config_key): config_key},
        )
        return ReaderConfig.model_validate(document.content).emergency

    assert emergency_in_config() is None  # no group named: doors always fail closed
    access_context.emergency_group = "Ứng cứu khẩn cấp"
    access_context.emergency_extra_seconds = 7200
    try:
        client.put(
            f"/api/v1/access/groups/{group['id']}/members",
            headers=admin,
            json={"holder_id": policy["id"]},
        )  # any change makes a new version
        section = emergency_in_config()
    finally:
        access_context.emergency_group = None
    assert section is not None
    assert section.holder_ids == [uuid.UUID(policy["id"])]
    assert section.extra_age_seconds == 7200
