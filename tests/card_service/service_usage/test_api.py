"""Service usage over HTTP: a counter's day as counter staff see it."""

from __future__ import annotations

import json
from datetime import timedelta

from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from tests.card_service.conftest import START
from tests.card_service.events.factories import make_holder


def test_counter_staff_serve_citizens_and_read_statistics(
    client, org, session, as_user, clock
) -> None:
    counter = create_unit(
        session, kind=UnitKind.COUNTER, code="Q-API", name="Quầy 1", parent=org.units["centre"]
    )
    staff = make_holder(session, org.units["centre"], "Võ Thị Mai", "TT900")
    session.commit()
    admin, desk = as_user("admin"), as_user("counter")  # re-minted below as time passes

    added = client.post(
        "/api/v1/service-usage/catalogue",
        json={"code": "HT-KH", "name": "Đăng ký kết hôn"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    signed = client.post(
        f"/api/v1/service-usage/counters/{counter.id}/sign-in",
        json={"staff_holder_id": str(staff.id)},
        headers=desk,
    )
    assert signed.status_code == 200, signed.text
    for minutes in (5, 7, 9, 11, 13):
        started = client.post(
            "/api/v1/service-usage/sessions",
            json={"counter_unit_id": str(counter.id), "service_code": "HT-KH"},
            headers=desk,
        )
        assert started.status_code == 201, started.text
        clock.advance(minutes=minutes)
        desk = as_user("counter")
        ended = client.post(
            f"/api/v1/service-usage/sessions/{started.json()['id']}/end", headers=desk
        )
        assert ended.status_code == 200

    day = START.date().isoformat()
    admin = as_user("admin")
    stats = client.get(
        f"/api/v1/service-usage/centres/{org.units['centre'].id}/statistics",
        params={"from": day, "to": day, "by": ["service", "hour"]},
        headers=desk,
    )
    assert stats.status_code == 200, stats.text
    assert [(r["key"], r["count"], r["median_seconds"]) for r in stats.json()] == [
        ({"service": "HT-KH", "hour": "09"}, 5, 540.0),
    ]
    opened = client.get(
        "/api/v1/service-usage/open-data.json", params={"from": day, "to": day}, headers=admin
    )
    assert json.loads(opened.content)["rows"][0]["so_luot"] == 5
    as_csv = client.get(
        "/api/v1/service-usage/open-data.csv", params={"from": day, "to": day}, headers=admin
    )
    assert as_csv.content.startswith(b"\xef\xbb\xbf")
    assert (
        client.post(
            "/api/v1/service-usage/sessions",
            json={
                "counter_unit_id": str(counter.id),
                "service_code": "HT-KH",
                "citizen_ref": "046201000123",
            },
            headers=desk,
        ).json()["code"]
        == "invalid_citizen_ref"
    )
    assert (
        client.get(
            f"/api/v1/service-usage/centres/{org.units['centre'].id}/statistics",
            params={"from": day, "to": day},
            headers=as_user("hr"),
        ).status_code
        == 403
    )
    assert START + timedelta(minutes=45) == clock.now
