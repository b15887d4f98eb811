"""Administrators grow and rename the organisation tree, inside their own units only,
in the shape card_service.orgunits.tree allows; every change is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from card_service.audit.models import AuditEntry
from card_service.orgunits.errors import UnitPlacementError
from card_service.orgunits.models import UnitKind
from card_service.orgunits.tree import ALLOWED_PARENTS, check_placement
from card_service.users.models import Role
from tests.card_service.scoped_users import add_user


@pytest.fixture
def snv_admin(session, org, password_hash):
    return add_user(session, org, "admin_snv", password_hash, [(Role.ADMIN, "snv")], "snv")


def _add(client, headers, parent_id, kind, code, name="Phòng Tổ chức"):
    body = {"parent_id": str(parent_id), "kind": kind, "code": code, "name": name}
    return client.post("/api/v1/units", json=body, headers=headers)


@pytest.mark.parametrize("kind", list(UnitKind))
@pytest.mark.parametrize("parent", [None, *UnitKind])
def test_the_placement_table(kind, parent):
    allowed = (parent is None and kind is UnitKind.PROVINCE) or (
        parent is not None and parent in ALLOWED_PARENTS[kind]
    )
    if allowed:
        check_placement(kind, parent)
    else:
        with pytest.raises(UnitPlacementError):
            check_placement(kind, parent)


def test_the_tree_has_the_documented_shape():
    assert {
        UnitKind.PROVINCE: frozenset(),
        UnitKind.AGENCY: {UnitKind.PROVINCE},
        UnitKind.DEPARTMENT: {UnitKind.AGENCY},
        UnitKind.SERVICE_CENTRE: {UnitKind.PROVINCE, UnitKind.AGENCY},
        UnitKind.COUNTER: {UnitKind.SERVICE_CENTRE},
    } == ALLOWED_PARENTS


def test_an_administrator_adds_units_in_the_allowed_shape(client, as_user, org, session):
    headers = as_user("admin")
    agency = _add(client, headers, org.units["root"].id, "agency", "SYT", "Sở Y tế")
    assert agency.status_code == 201, agency.text
    assert agency.headers["Location"] == f"/api/v1/units/{agency.json()['id']}"
    assert agency.headers["ETag"]
    department = _add(client, headers, agency.json()["id"], "department", "SYT-VP")
    assert department.status_code == 201
    assert department.json()["parent_id"] == agency.json()["id"]
    misplaced = _add(client, headers, agency.json()["id"], "counter", "Q-SYT")
    assert misplaced.status_code == 422
    assert misplaced.json()["code"] == "unit_placement_not_allowed"
    second_root = _add(client, headers, org.units["root"].id, "province", "DN")
    assert second_root.status_code == 422
    listed = client.get(
        "/api/v1/units", params={"parent_id": agency.json()["id"]}, headers=headers
    ).json()
    assert [u["code"] for u in listed["items"]] == ["SYT-VP"]
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "unit.created").order_by(AuditEntry.seq)
    ).all()
    assert [(e.actor, e.data["code"]) for e in entries[-2:]] == [
        ("user:admin", "SYT"),
        ("user:admin", "SYT-VP"),
    ]


def test_a_unit_admin_adds_units_only_below_its_own(client, as_user, org, snv_admin):
    headers = as_user("admin_snv")
    mine = _add(client, headers, org.units["snv"].id, "department", "SNV-TC")
    assert mine.status_code == 201
    for parent in ("stp", "root"):
        outside = _add(client, headers, org.units[parent].id, "department", f"X-{parent}")
        assert outside.status_code == 404, parent
        assert outside.json()["code"] == "unit_not_found"
    assert _add(client, as_user("hr"), org.units["snv"].id, "department", "Y").status_code == 403
    # The new unit is inside the administrator's scope at once.
    got = client.get(f"/api/v1/units/{mine.json()['id']}", headers=headers)
    assert got.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"code": "bad code"},
        {"code": ""},
        {"name": ""},
        {"path": "/x/"},
        {"id": "00000000-0000-0000-0000-000000000001"},
        {"version": 7},
    ],
)
def test_bad_and_protected_fields_are_refused(client, as_user, org, body):
    base = {
        "parent_id": str(org.units["snv"].id),
        "kind": "department",
        "code": "OK-1",
        "name": "A",
    }
    response = client.post("/api/v1/units", json={**base, **body}, headers=as_user("admin"))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def test_a_code_is_used_once(client, as_user, org):
    taken = _add(client, as_user("admin"), org.units["snv"].id, "department", "SNV-VP")
    assert taken.status_code == 409
    assert taken.json()["code"] == "unit_code_taken"


def test_renaming_needs_the_current_etag_and_is_audited(client, as_user, org, snv_admin, session):
    headers = as_user("admin_snv")
    url = f"/api/v1/units/{org.units['snv_vp'].id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    assert client.patch(url, json={"name": "Văn phòng"}, headers=headers).status_code == 428
    renamed = client.patch(
        url, json={"name": "Văn phòng", "code": "SNV-VAN"}, headers={**headers, "If-Match": etag}
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["code"]) == ("Văn phòng", "SNV-VAN")
    assert renamed.headers["ETag"] != etag
    stale = client.patch(url, json={"name": "Lại"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "unit.updated")).one()
    assert entry.actor == "user:admin_snv"
    assert entry.data["changes"] == {
        "name": ["Văn phòng Sở", "Văn phòng"],
        "code": ["SNV-VP", "SNV-VAN"],
    }
    fresh = renamed.headers["ETag"]
    clash = client.patch(url, json={"code": "STP"}, headers={**headers, "If-Match": fresh})
    assert clash.status_code == 409
    for protected in ({"kind": "agency"}, {"parent_id": str(org.units["stp"].id)}, {}):
        refused = client.patch(url, json=protected, headers={**headers, "If-Match": fresh})
        assert refused.status_code == 422, protected


def test_another_units_unit_cannot_be_renamed(client, as_user, org, snv_admin):
    url = f"/api/v1/units/{org.units['stp'].id}"
    response = client.patch(
        url, json={"name": "Của tôi"}, headers={**as_user("admin_snv"), "If-Match": "*"}
    )
    assert response.status_code == 404
    assert client.get(url, headers=as_user("admin_snv")).status_code == 404
