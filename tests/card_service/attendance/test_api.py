"""Attendance over HTTP: HR's timesheet and exports, a person's days, corrections."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from card_service.events.service import ingest_batch
from tests.card_service.attendance.conftest import vn
from tests.card_service.events.factories import batch, make_holder, make_reader, tap

MARCH = {"year": 2026, "month": 3}


def _staff_with_a_late_day(session, org):
    unit = org.units["snv_vp"]
    holder = make_holder(session, unit, "Phạm Thị Thu", "NV300")
    reader = make_reader(session, unit)
    moments = [vn(2026, 3, 2, 7, 45), vn(2026, 3, 2, 17, 0)]
    ingest_batch(
        session,
        reader,
        batch([tap(m, holder=holder) for m in moments], sent_at=moments[-1]),
        now=moments[-1],
    )
    session.commit()
    return holder


def test_hr_gets_the_timesheet_of_its_unit(client, org, session, as_user, clock) -> None:
    clock.now = vn(2026, 4, 2, 9)
    holder = _staff_with_a_late_day(session, org)
    url = f"/api/v1/attendance/units/{org.units['snv'].id}/timesheet"
    response = client.get(url, params=MARCH, headers=as_user("hr"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["days"][0] == "2026-03-01"
    (row,) = body["rows"]
    assert row["holder_id"] == str(holder.id)
    assert row["codes"][:3] == ["", "X", "V"]
    assert (row["late_count"], row["late_minutes"], row["days_present"]) == (1, 15, 1)
    assert body["legend"]["X"]


def test_the_exports_carry_the_same_rows(client, org, session, as_user, clock) -> None:
    clock.now = vn(2026, 4, 2, 9)
    _staff_with_a_late_day(session, org)
    base = f"/api/v1/attendance/units/{org.units['snv'].id}/timesheet"
    as_csv = client.get(base + ".csv", params=MARCH, headers=as_user("hr"))
    as_xlsx = client.get(base + ".xlsx", params=MARCH, headers=as_user("hr"))
    assert as_csv.status_code == as_xlsx.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "bang-cham-cong-2026-03.csv" in as_csv.headers["content-disposition"]
    assert as_csv.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
    cells = [["" if c is None else str(c) for c in r] for r in sheet.iter_rows(values_only=True)]
    assert rows == cells
    assert rows[1][1] == "Phạm Thị Thu"


def test_hr_of_another_unit_and_other_roles_are_kept_out(client, org, session, as_user) -> None:
    url = f"/api/v1/attendance/units/{org.units['snv'].id}/timesheet"
    assert client.get(url, params=MARCH).status_code == 401
    assert client.get(url, params=MARCH, headers=as_user("hr_other")).status_code == 404
    assert client.get(url, params=MARCH, headers=as_user("counter")).status_code == 403
    assert (
        client.get(url, params={"year": 2026, "month": 13}, headers=as_user("hr")).json()["code"]
        == "validation_failed"
    )


def test_hr_corrects_a_day_and_the_person_view_shows_both(
    client, org, session, as_user, clock
) -> None:
    clock.now = vn(2026, 3, 5, 9)
    holder = _staff_with_a_late_day(session, org)
    response = client.post(
        "/api/v1/attendance/corrections",
        json={
            "holder_id": str(holder.id),
            "day": "2026-03-02",
            "first_in": vn(2026, 3, 2, 7, 30).isoformat(),
            "reason": "Họp tại Sở Tư pháp buổi sáng",
        },
        headers=as_user("hr"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "approved"
    assert response.json()["requested_by"] == "user:hr"
    days = client.get(
        f"/api/v1/attendance/holders/{holder.id}/days", params=MARCH, headers=as_user("hr")
    ).json()
    monday = next(d for d in days["days"] if d["day"] == "2026-03-02")
    assert monday["late_minutes"] == 0
    assert monday["original_first_in"].startswith("2026-03-02T00:45")
    assert [c["reason"] for c in days["corrections"]] == ["Họp tại Sở Tư pháp buổi sáng"]
    assert [d["day"] for d in days["days"]][-1] == date(2026, 3, 4).isoformat()


def test_leave_and_calendar_over_http(client, org, session, as_user, clock) -> None:
    clock.now = vn(2026, 3, 20, 9)
    holder = _staff_with_a_late_day(session, org)
    leave = client.post(
        "/api/v1/attendance/leave",
        json={
            "holder_id": str(holder.id),
            "leave_type": "business_trip",
            "first_day": "2026-03-03",
            "last_day": "2026-03-04",
        },
        headers=as_user("hr"),
    )
    assert leave.status_code == 201, leave.text
    set_day = client.put(
        "/api/v1/attendance/calendar/days/2026-03-05",
        json={"kind": "holiday", "name": "Nghỉ Festival Huế"},
        headers=as_user("admin"),
    )
    assert set_day.status_code == 200, set_day.text
    assert (
        client.put(
            "/api/v1/attendance/calendar/days/2026-03-06",
            json={"kind": "holiday", "name": "x"},
            headers=as_user("hr"),
        ).status_code
        == 403
    )
    days = client.get(
        f"/api/v1/attendance/holders/{holder.id}/days", params=MARCH, headers=as_user("hr")
    ).json()["days"]
    assert [d["status"] for d in days[2:5]] == ["leave", "leave", "off"]
    calendar = client.get(
        "/api/v1/attendance/calendar/2026", params={"limit": 500}, headers=as_user("hr")
    ).json()["items"]
    assert {"day": "2026-03-05", "source": "local"}.items() <= calendar[
        [c["day"] for c in calendar].index("2026-03-05")
    ].items()
