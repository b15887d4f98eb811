"""Holders through the API: create, read, search, update with If-Match, deactivate."""

from __future__ import annotations

import pytest

from card_service.holders.names import fold_name


def _create(client, headers, unit_id, **fields):
    body = {"staff_number": "NV0001", "full_name": "Nguyễn Văn A", "unit_id": str(unit_id)}
    body.update(fields)
    return client.post("/api/v1/holders", json=body, headers=headers)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Nguyễn Văn A", "nguyen van a"),
        ("ĐẶNG THỊ THU", "dang thi thu"),
        ("  Trần   Quốc  Đạt ", "tran quoc dat"),
        ("Nguye\u0302\u0303n", "nguyen"),  # decomposed input folds the same
    ],
)
def test_fold_name(typed, folded) -> None:
    assert fold_name(typed) == folded


def test_create_keeps_the_name_as_typed_in_nfc(client, org, as_user) -> None:
    decomposed = "Nguye\u0302\u0303n Va\u0306n A"
    response = _create(client, as_user("hr"), org.units["snv_vp"].id, full_name=decomposed)
    assert response.status_code == 201, response.text
    assert response.json()["full_name"] == "Nguyễn Văn A"
    assert response.headers["Location"] == f"/api/v1/holders/{response.json()['id']}"
    assert response.headers["ETag"]


def test_search_ignores_diacritics_and_case(client, org, as_user) -> None:
    headers = as_user("admin")
    for number, name in [("A1", "Nguyễn Văn A"), ("A2", "Nguyễn Văn Ánh"), ("B1", "Lê Thị B")]:
        assert (
            _create(
                client, headers, org.units["snv"].id, staff_number=number, full_name=name
            ).status_code
            == 201
        )
    found = client.get("/api/v1/holders", params={"q": "nguyen van a"}, headers=headers).json()
    assert [h["full_name"] for h in found["items"]] == ["Nguyễn Văn A", "Nguyễn Văn Ánh"]
    found = client.get("/api/v1/holders", params={"q": "NGUYỄN VĂN ÁNH"}, headers=headers).json()
    assert [h["staff_number"] for h in found["items"]] == ["A2"]
    by_number = client.get("/api/v1/holders", params={"staff_number": "B1"}, headers=headers)
    assert by_number.json()["total"] == 1


def test_search_treats_wildcards_literally(client, org, as_user) -> None:
    headers = as_user("admin")
    _create(client, headers, org.units["snv"].id, staff_number="W1", full_name="Phan Văn C")
    assert client.get("/api/v1/holders", params={"q": "%"}, headers=headers).json()["total"] == 0


def test_pagination(client, org, as_user) -> None:
    headers = as_user("admin")
    for n in range(7):
        _create(client, headers, org.units["snv"].id, staff_number=f"P{n}", full_name=f"Người {n}")
    page = client.get("/api/v1/holders", params={"limit": 3, "offset": 3}, headers=headers).json()
    assert page["total"] == 7
    assert [h["staff_number"] for h in page["items"]] == ["P3", "P4", "P5"]
    too_big = client.get("/api/v1/holders", params={"limit": 501}, headers=headers)
    assert too_big.status_code == 422


def test_staff_number_is_unique(client, org, as_user) -> None:
    headers = as_user("admin")
    assert _create(client, headers, org.units["snv"].id).status_code == 201
    again = _create(client, headers, org.units["stp"].id, full_name="Someone Else")
    assert again.status_code == 409
    assert again.json()["code"] == "staff_number_taken"


def test_update_needs_the_current_etag(client, org, as_user) -> None:
    headers = as_user("hr")
    created = _create(client, headers, org.units["snv"].id)
    url = f"/api/v1/holders/{created.json()['id']}"
    etag = created.headers["ETag"]

    missing = client.patch(url, json={"position": "Chuyên viên"}, headers=headers)
    assert missing.status_code == 428
    updated = client.patch(
        url, json={"position": "Chuyên viên"}, headers=headers | {"If-Match": etag}
    )
    assert updated.status_code == 200
    assert updated.json()["position"] == "Chuyên viên"
    stale = client.patch(
        url, json={"position": "Trưởng phòng"}, headers=headers | {"If-Match": etag}
    )
    assert stale.status_code == 412
    assert client.get(url, headers=headers).json()["position"] == "Chuyên viên"


@pytest.mark.parametrize(
    "body",
    [
        {"active": False},
        {"staff_number": "X9"},
        {"kind": "citizen"},
        {"unknown": 1},
        {"id": "00000000-0000-0000-0000-000000000000"},
        {"version": 99},
    ],
)
def test_protected_and_unknown_fields_are_refused(client, org, as_user, body) -> None:
    headers = as_user("admin")
    created = _create(client, headers, org.units["snv"].id)
    url = f"/api/v1/holders/{created.json()['id']}"
    response = client.patch(url, json=body, headers=headers | {"If-Match": created.headers["ETag"]})
    assert response.status_code == 422
    assert client.get(url, headers=headers).json()["version"] == created.json()["version"]


def test_create_refuses_protected_fields(client, org, as_user) -> None:
    response = _create(client, as_user("admin"), org.units["snv"].id, active=False)
    assert response.status_code == 422


def test_deactivate(client, org, as_user) -> None:
    headers = as_user("admin")
    created = _create(client, headers, org.units["snv"].id)
    url = f"/api/v1/holders/{created.json()['id']}"
    done = client.post(f"{url}/deactivate", headers=headers | {"If-Match": created.headers["ETag"]})
    assert done.status_code == 200
    assert done.json()["active"] is False
    listed = client.get("/api/v1/holders", params={"active": "false"}, headers=headers).json()
    assert listed["total"] == 1


def test_hr_cannot_create_outside_its_unit(client, org, as_user) -> None:
    response = _create(client, as_user("hr"), org.units["stp"].id)
    assert response.status_code == 404
    assert response.json()["code"] == "unit_not_found"


def test_hr_cannot_move_a_holder_out_of_its_units(client, org, as_user) -> None:
    headers = as_user("hr")
    created = _create(client, headers, org.units["snv"].id)
    moved = client.patch(
        f"/api/v1/holders/{created.json()['id']}",
        json={"unit_id": str(org.units["stp"].id)},
        headers=headers | {"If-Match": created.headers["ETag"]},
    )
    assert moved.status_code == 404


def test_request_bodies_over_the_limit_are_refused(client, org, as_user) -> None:
    response = client.post(
        "/api/v1/holders",
        content=b"{" + b" " * (2 << 20) + b"}",
        headers=as_user("admin") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_changes_are_audited(client, org, as_user, session) -> None:
    from sqlalchemy import select

    from card_service.audit.models import AuditEntry

    created = _create(client, as_user("hr"), org.units["snv"].id)
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "holder").order_by(AuditEntry.seq)
    ).all()
    assert [(e.actor, e.action, str(e.object_id)) for e in entries] == [
        ("user:hr", "holder.created", created.json()["id"])
    ]


def test_nul_characters_are_refused_before_they_reach_the_database(client, org, as_user) -> None:
    headers = as_user("admin")
    in_body = client.post(
        "/api/v1/holders",
        json={
            "staff_number": "N0",
            "full_name": "Tên\u0000ẩn",
            "unit_id": str(org.units["snv"].id),
        },
        headers=headers,
    )
    assert in_body.status_code == 422
    assert in_body.json()["code"] == "nul_character"
    in_query = client.get("/api/v1/audit", params={"action": "\x00"}, headers=headers)
    assert in_query.status_code == 422
    assert in_query.json()["code"] == "nul_character"
    assert client.get("/api/v1/holders", headers=headers).json()["total"] == 0
