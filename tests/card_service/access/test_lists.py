"""The access-policy lists over HTTP: pages, a stable order, and filters that narrow the
caller's own objects and never reach another unit's (an agency administrator filtering
by another agency's unit, group or schedule, or searching for its names, finds nothing)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from card_service.access import service
from card_service.access.models import AccessGroup, DoorGroup
from card_service.access.schemas import AccessScheduleIn, GroupIn, MemberIn, RuleIn
from card_service.auth.principal import Grant, Principal
from card_service.holders.models import Holder, HolderKind
from card_service.holders.names import fold_name
from card_service.users.models import Role
from reader_protocol.config import TimeWindow
from tests.card_service.conftest import START
from tests.card_service.scoped_users import add_user

WEEKDAYS = [TimeWindow(weekday=d, start="07:00", end="17:00") for d in range(5)]


def _root_admin(org) -> Principal:
    root = org.units["root"]
    return Principal(uuid.uuid4(), "root", (Grant(Role.ADMIN, root.id, root.path),))


def _holder(session, org, key: str, number: str, name: str) -> Holder:
    holder = Holder(
        kind=HolderKind.STAFF,
        staff_number=number,
        full_name=name,
        name_folded=fold_name(name),
        unit_id=org.units[key].id,
    )
    session.add(holder)
    session.flush()
    return holder


@pytest.fixture
def policy(session, org, password_hash) -> dict[str, Any]:
    """Per agency (SNV, STP): two schedules, three access groups, two door groups and a
    rule per access group; a province-wide schedule shared with both; one access group
    of SNV with members of SNV and of STP. ``admin_snv`` administers SNV only."""
    admin = _root_admin(org)
    made: dict[str, Any] = {}
    province = AccessScheduleIn(
        name="Giờ hành chính Huế", windows=WEEKDAYS, unit_id=org.units["root"].id
    )
    made["province"] = service.create_schedule(session, admin, province, now=START)
    for key, label in (("snv", "Nội vụ"), ("stp", "Tư pháp")):
        unit_id = org.units[key].id
        schedules = [
            service.create_schedule(
                session,
                admin,
                AccessScheduleIn(name=f"Ca {shift} {label}", windows=WEEKDAYS, unit_id=unit_id),
                now=START,
            )
            for shift in ("sáng", "chiều")
        ]
        groups = [
            service.create_group(
                session,
                admin,
                AccessGroup,
                GroupIn(name=f"{name} {label}", unit_id=unit_id),
                now=START,
            )
            for name in ("Kế toán", "Lãnh đạo", "Văn thư")
        ]
        doors = [
            service.create_group(
                session,
                admin,
                DoorGroup,
                GroupIn(name=f"{name} {label}", unit_id=unit_id),
                now=START,
            )
            for name in ("Cổng chính", "Kho lưu trữ")
        ]
        rules = [
            service.create_rule(
                session,
                admin,
                RuleIn(
                    name=f"Quy tắc {group.name}",
                    access_group_id=group.id,
                    door_group_id=doors[index % 2].id,
                    schedule_id=schedules[index % 2].id,
                ),
                now=START,
            )
            for index, group in enumerate(groups)
        ]
        made[key] = {"schedules": schedules, "groups": groups, "doors": doors, "rules": rules}
    members = [
        _holder(session, org, "snv", "S1", "Nguyễn Văn An"),
        _holder(session, org, "snv", "S2", "Trần Thị Bình"),
        _holder(session, org, "snv", "S3", "Lê Đức Cường"),
        _holder(session, org, "stp", "T1", "Nguyễn Thị Ân"),
    ]
    validity = [
        (None, None),
        (date(2026, 1, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), None),
        (None, None),
    ]
    for holder, (first, last) in zip(members, validity, strict=True):
        service.set_member(
            session,
            admin,
            made["snv"]["groups"][0].id,
            MemberIn(holder_id=holder.id, valid_from=first, valid_until=last),
            now=START,
        )
    made["members"] = members
    add_user(session, org, "admin_snv", password_hash, [(Role.ADMIN, "snv")], "snv")
    session.commit()
    return made


def _page(client, headers, path: str, **params: object) -> dict[str, Any]:
    response = client.get(f"/api/v1/access/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"items", "total", "limit", "offset"}
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


@pytest.mark.parametrize("path", ["groups", "door-groups", "schedules", "rules"])
def test_pages_follow_one_order_and_add_up(client, as_user, policy, path) -> None:
    admin = as_user("admin")
    whole = _page(client, admin, path, limit=500)
    assert whole["total"] == len(whole["items"]) >= 4
    # By name in the database's collation (PostgreSQL's may differ from Python's sort
    # for Vietnamese letters), so the pages are checked against the whole list.
    pages = [_page(client, admin, path, limit=3, offset=offset) for offset in range(0, 12, 3)]
    assert all(page["total"] == whole["total"] and page["limit"] == 3 for page in pages)
    assert [name for page in pages for name in _names(page)] == _names(whole)
    assert _page(client, admin, path)["limit"] == 50  # the default


@pytest.mark.parametrize("limit", [0, 501])
def test_a_page_size_out_of_range_is_refused(client, as_user, policy, limit) -> None:
    for path in ("groups", "door-groups", "schedules", "rules"):
        response = client.get(
            f"/api/v1/access/{path}", params={"limit": limit}, headers=as_user("admin")
        )
        assert response.status_code == 422, (path, response.text)


def test_an_agency_pages_through_its_own_objects_only(client, as_user, policy) -> None:
    mine = as_user("admin_snv")
    assert _names(_page(client, mine, "groups")) == [
        "Kế toán Nội vụ",
        "Lãnh đạo Nội vụ",
        "Văn thư Nội vụ",
    ]
    assert _page(client, mine, "door-groups")["total"] == 2
    assert _page(client, mine, "rules")["total"] == 3
    # Its two schedules and the province's, shared down the tree.
    assert _names(_page(client, mine, "schedules")) == [
        "Ca chiều Nội vụ",
        "Ca sáng Nội vụ",
        "Giờ hành chính Huế",
    ]
    second = _page(client, mine, "groups", limit=2, offset=2)
    assert (_names(second), second["total"]) == (["Văn thư Nội vụ"], 3)


@pytest.mark.parametrize("path", ["groups", "door-groups", "schedules", "rules"])
def test_q_finds_names_in_any_case_with_or_without_diacritics(
    client, as_user, policy, path
) -> None:
    admin = as_user("admin")
    for needle in ("noi vu", "NỘI VỤ", "Nội"):
        found = _page(client, admin, path, q=needle)
        assert found["total"] > 0, needle
        assert all("Nội vụ" in name for name in _names(found)), needle
    assert _page(client, admin, path, q="không có")["total"] == 0
    assert _page(client, admin, path, q="%")["total"] == 0  # no wildcard


def test_name_search_is_exact_about_which_group(client, as_user, policy) -> None:
    admin = as_user("admin")
    assert _names(_page(client, admin, "groups", q="ke toan")) == [
        "Kế toán Nội vụ",
        "Kế toán Tư pháp",
    ]
    assert _names(_page(client, admin, "door-groups", q="kho", limit=1)) == ["Kho lưu trữ Nội vụ"]
    assert _page(client, admin, "door-groups", q="kho", limit=1)["total"] == 2
    assert _names(_page(client, admin, "schedules", q="huế")) == ["Giờ hành chính Huế"]


@pytest.mark.parametrize("path", ["groups", "door-groups", "schedules"])
def test_unit_id_narrows_to_one_unit_of_the_callers(client, as_user, org, policy, path) -> None:
    admin = as_user("admin")
    snv, stp = str(org.units["snv"].id), str(org.units["stp"].id)
    in_snv = _page(client, admin, path, unit_id=snv)
    assert in_snv["total"] >= 2
    assert {item["unit_id"] for item in in_snv["items"]} == {snv}
    assert {item["unit_id"] for item in _page(client, admin, path, unit_id=stp)["items"]} == {stp}


@pytest.mark.parametrize("path", ["groups", "door-groups", "schedules", "rules"])
def test_filters_cannot_reach_another_units_objects(client, as_user, org, policy, path) -> None:
    mine = as_user("admin_snv")
    theirs = policy["stp"]
    assert _page(client, mine, path, q="tu phap")["total"] == 0
    if path != "rules":
        assert _page(client, mine, path, unit_id=str(org.units["stp"].id))["total"] == 0
    else:
        for name, value in (
            ("access_group_id", theirs["groups"][0].id),
            ("door_group_id", theirs["doors"][0].id),
            ("schedule_id", theirs["schedules"][0].id),
        ):
            assert _page(client, mine, path, **{name: str(value)})["total"] == 0, name


def test_rules_by_group_door_group_and_schedule(client, as_user, policy) -> None:
    admin = as_user("admin")
    snv = policy["snv"]
    by_group = _page(client, admin, "rules", access_group_id=str(snv["groups"][1].id))
    assert _names(by_group) == ["Quy tắc Lãnh đạo Nội vụ"]
    # Groups 0 and 2 use door group 0 and schedule 0.
    expected = ["Quy tắc Kế toán Nội vụ", "Quy tắc Văn thư Nội vụ"]
    assert _names(_page(client, admin, "rules", door_group_id=str(snv["doors"][0].id))) == expected
    assert (
        _names(_page(client, admin, "rules", schedule_id=str(snv["schedules"][0].id))) == expected
    )
    both = _page(
        client,
        admin,
        "rules",
        door_group_id=str(snv["doors"][0].id),
        schedule_id=str(snv["schedules"][1].id),
    )
    assert both["total"] == 0  # every filter given must match
    assert _names(_page(client, admin, "rules", q="van thu")) == [
        "Quy tắc Văn thư Nội vụ",
        "Quy tắc Văn thư Tư pháp",
    ]
    province = _page(client, admin, "rules", schedule_id=str(policy["province"].id))
    assert province["total"] == 0


def test_members_are_paged_by_name_and_filtered(client, as_user, policy) -> None:
    group = policy["snv"]["groups"][0].id
    path = f"groups/{group}/members"
    an, binh, cuong, other = (str(h.id) for h in policy["members"])

    def ids(body: dict[str, Any]) -> list[str]:
        return [item["holder_id"] for item in body["items"]]

    admin = as_user("admin")
    # By name: Lê Đức Cường, Nguyễn Thị Ân (STP), Nguyễn Văn An, Trần Thị Bình.
    assert ids(_page(client, admin, path)) == [cuong, other, an, binh]
    first, rest = _page(client, admin, path, limit=2), _page(client, admin, path, limit=2, offset=2)
    assert (ids(first), ids(rest), first["total"], rest["total"]) == (
        [cuong, other],
        [an, binh],
        4,
        4,
    )
    assert ids(_page(client, admin, path, q="NGUYEN")) == [other, an]
    assert ids(_page(client, admin, path, q="duc cuong")) == [cuong]
    assert ids(_page(client, admin, path, valid_on="2026-03-01")) == [other, an, binh]
    assert ids(_page(client, admin, path, valid_on="2026-06-30")) == [other, an, binh]  # inclusive
    assert ids(_page(client, admin, path, valid_on="2026-07-01")) == [cuong, other, an]
    # The agency administrator sees its own people only, and counts them alone.
    mine = as_user("admin_snv")
    assert ids(_page(client, mine, path)) == [cuong, an, binh]
    assert _page(client, mine, path, q="nguyen thi an")["total"] == 0
    refused = client.get(f"/api/v1/access/{path}", params={"limit": 0}, headers=admin)
    assert refused.status_code == 422


def test_another_units_group_has_no_member_list(client, as_user, policy) -> None:
    theirs = policy["stp"]["groups"][0].id
    response = client.get(
        f"/api/v1/access/groups/{theirs}/members", params={"q": "a"}, headers=as_user("admin_snv")
    )
    assert response.status_code == 404


def test_the_service_lists_whole_without_paging(session, org, policy) -> None:
    """The console asks for a unit's whole policy: no page, and the same filters."""
    admin = _root_admin(org)
    groups, total = service.list_groups(session, admin, AccessGroup)
    assert total == len(groups) == 6
    rules, total = service.list_rules(session, admin)
    assert total == len(rules) == 6
    assert [g.name for g in service.list_groups(session, admin, DoorGroup)[0]][:1] == [
        "Cổng chính Nội vụ"
    ]
