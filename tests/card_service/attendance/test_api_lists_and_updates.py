"""Attendance lists come in pages with filters; the PUTs answer an ETag and refuse a stale
If-Match (412) or an unknown field (422)."""

from __future__ import annotations

import pytest

from tests.card_service.attendance.conftest import vn
from tests.card_service.events.factories import make_holder

BASE = "/api/v1/attendance"
TUESDAY = "2026-11-17"  # an ordinary working day


def _schedule(client, headers, code: str) -> str:
    response = client.post(
        f"{BASE}/schedules",
        json={"code": code, "name": f"Ca {code}", "periods": []},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def staff(org, session):
    holder = make_holder(session, org.units["snv_vp"], "Lê Thị Hoa", "NV410")
    session.commit()
    return holder


def test_schedules_come_in_pages_and_filter_by_code(client, as_user) -> None:
    for code in ("CA-3", "CA-1", "CA-2"):
        _schedule(client, as_user("admin"), code)
    url = f"{BASE}/schedules"

    page = client.get(url, params={"limit": 2, "offset": 1}, headers=as_user("hr")).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [s["code"] for s in page["items"]] == ["CA-2", "CA-3"]
    only = client.get(url, params={"code": "CA-2"}, headers=as_user("hr")).json()
    assert (only["total"], [s["code"] for s in only["items"]]) == (1, ["CA-2"])


def test_the_calendar_comes_in_pages_and_filters(client, as_user) -> None:
    set_day = client.put(
        f"{BASE}/calendar/days/{TUESDAY}",
        json={"kind": "holiday", "name": "Lễ hội"},
        headers=as_user("admin"),
    )
    assert set_day.status_code == 200, set_day.text
    url = f"{BASE}/calendar/2026"
    whole = client.get(url, params={"limit": 500}, headers=as_user("hr")).json()
    assert whole["total"] == len(whole["items"]) > 10

    pages = [
        client.get(url, params={"limit": 4, "offset": offset}, headers=as_user("hr")).json()
        for offset in range(0, whole["total"], 4)
    ]
    assert [day for page in pages for day in page["items"]] == whole["items"]
    assert {page["total"] for page in pages} == {whole["total"]}

    local = client.get(url, params={"source": "local"}, headers=as_user("hr")).json()
    assert [(d["day"], d["name"]) for d in local["items"]] == [(TUESDAY, "Lễ hội")]
    workdays = client.get(url, params={"kind": "workday"}, headers=as_user("hr")).json()
    assert {d["kind"] for d in workdays["items"]} <= {"workday"}
    assert workdays["total"] == sum(d["kind"] == "workday" for d in whole["items"])
    assert client.get(url, params={"source": "elsewhere"}, headers=as_user("hr")).status_code == 422


def test_leave_comes_in_pages_and_filters_by_type(client, as_user, staff, clock) -> None:
    clock.now = vn(2026, 11, 2, 9)
    for first, last, kind in [
        ("2026-03-02", "2026-03-03", "annual"),
        ("2026-05-04", "2026-05-04", "sick"),
        ("2026-07-06", "2026-07-08", "annual"),
    ]:
        added = client.post(
            f"{BASE}/leave",
            json={
                "holder_id": str(staff.id),
                "leave_type": kind,
                "first_day": first,
                "last_day": last,
            },
            headers=as_user("hr"),
        )
        assert added.status_code == 201, added.text
    url = f"{BASE}/holders/{staff.id}/leave"

    page = client.get(url, params={"year": 2026, "limit": 2}, headers=as_user("hr")).json()
    assert (page["total"], [r["first_day"] for r in page["items"]]) == (
        3,
        ["2026-03-02", "2026-05-04"],
    )
    annual = client.get(
        url, params={"year": 2026, "leave_type": "annual", "offset": 1}, headers=as_user("hr")
    ).json()
    assert (annual["total"], [r["first_day"] for r in annual["items"]]) == (2, ["2026-07-06"])


def test_a_unit_schedule_put_answers_an_etag_and_refuses_a_stale_one(client, as_user, org) -> None:
    headers = as_user("hr")
    day_shift, night_shift = (_schedule(client, headers, code) for code in ("NGAY", "DEM"))
    url = f"{BASE}/units/{org.units['snv'].id}/schedule"

    first = client.put(url, json={"schedule_id": day_shift}, headers=headers)
    assert first.status_code == 204, first.text
    second = client.put(
        url,
        json={"schedule_id": night_shift},
        headers={**headers, "If-Match": first.headers["ETag"]},
    )
    assert second.status_code == 204, second.text
    assert second.headers["ETag"] != first.headers["ETag"]

    stale = client.put(
        url, json={"schedule_id": day_shift}, headers={**headers, "If-Match": first.headers["ETag"]}
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    # The stale write changed nothing: the ETag read after the second PUT still holds.
    again = client.put(
        url,
        json={"schedule_id": night_shift},
        headers={**headers, "If-Match": second.headers["ETag"]},
    )
    assert (again.status_code, again.headers["ETag"]) == (204, second.headers["ETag"])


def test_a_shift_put_answers_an_etag_and_refuses_a_stale_one(client, as_user, staff) -> None:
    headers = as_user("hr")
    schedule = _schedule(client, headers, "TRUC")
    url = f"{BASE}/holders/{staff.id}/shifts/{TUESDAY}"

    rostered = client.put(url, json={"schedule_id": schedule}, headers=headers)
    assert rostered.status_code == 204, rostered.text
    removed = client.put(
        url, json={"schedule_id": None}, headers={**headers, "If-Match": rostered.headers["ETag"]}
    )
    assert removed.status_code == 204, removed.text
    stale = client.put(
        url,
        json={"schedule_id": schedule},
        headers={**headers, "If-Match": rostered.headers["ETag"]},
    )
    assert stale.status_code == 412
    # Another day is another resource with its own ETag.
    other_day = client.put(
        f"{BASE}/holders/{staff.id}/shifts/2026-11-18", json={"schedule_id": None}, headers=headers
    )
    assert other_day.headers["ETag"] not in {rostered.headers["ETag"], removed.headers["ETag"]}


def test_a_calendar_day_put_answers_an_etag_and_refuses_a_stale_one(client, as_user) -> None:
    headers = as_user("admin")
    url = f"{BASE}/calendar/days/{TUESDAY}"
    first = client.put(url, json={"kind": "holiday", "name": "Lễ hội"}, headers=headers)
    assert first.status_code == 200, first.text
    second = client.put(
        url,
        json={"kind": "workday", "name": "Làm bù"},
        headers={**headers, "If-Match": first.headers["ETag"]},
    )
    assert second.status_code == 200, second.text
    stale = client.put(
        url,
        json={"kind": "holiday", "name": "Lễ hội"},
        headers={**headers, "If-Match": first.headers["ETag"]},
    )
    assert stale.status_code == 412
    local = client.get(f"{BASE}/calendar/2026", params={"source": "local"}, headers=headers)
    assert [d["name"] for d in local.json()["items"]] == ["Làm bù"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("units/{unit}/schedule", {"schedule_id": "{schedule}", "unit_id": "{unit}"}),
        ("holders/{holder}/shifts/2026-11-17", {"schedule_id": "{schedule}", "note": "x"}),
    ],
)
def test_unknown_fields_in_a_put_are_refused(client, as_user, org, staff, path, body) -> None:
    headers = as_user("hr")
    ids = {"unit": org.units["snv"].id, "holder": staff.id}
    ids["schedule"] = _schedule(client, headers, "KHAC")
    response = client.put(
        f"{BASE}/{path.format(**ids)}",
        json={key: value.format(**ids) for key, value in body.items()},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
