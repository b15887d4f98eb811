"""The access policy is divided by unit: an administrator or auditor of one agency sees
and changes that agency's groups, schedules and rules, uses the schedules shared with
it from above, and finds everyone else's as if they did not exist."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from card_service.access import service
from card_service.access.errors import (
    AccessObjectNotFoundError,
    ScheduleOwnedAboveError,
    ScheduleOwnerFixedError,
    ScheduleOwnerRequiredError,
)
from card_service.access.models import AccessGroup, DoorGroup, Schedule
from card_service.access.schemas import AccessScheduleIn, GroupIn, MemberIn, RuleIn
from card_service.audit.models import AuditEntry
from card_service.auth.principal import Grant, Principal
from card_service.holders.models import Holder, HolderKind
from card_service.orgunits.errors import UnitNotFoundError
from card_service.orgunits.models import OrgUnit
from card_service.users.models import Role
from reader_protocol.config import TimeWindow
from tests.card_service.conftest import START
from tests.card_service.scoped_users import add_user

WEEKDAYS = [TimeWindow(weekday=d, start="07:00", end="17:00") for d in range(5)]


def _principal(*grants: tuple[Role, OrgUnit]) -> Principal:
    return Principal(
        uuid.uuid4(), "someone", tuple(Grant(role, unit.id, unit.path) for role, unit in grants)
    )


def _schedule(session, who, name, unit=None) -> Schedule:
    data = AccessScheduleIn(name=name, windows=WEEKDAYS, unit_id=unit.id if unit else None)
    return service.create_schedule(session, who, data, now=START)


def _holder(session, org, key, number) -> Holder:
    holder = Holder(
        kind=HolderKind.STAFF,
        staff_number=number,
        full_name=f"Người {key}",
        name_folded=f"nguoi {key}",
        unit_id=org.units[key].id,
    )
    session.add(holder)
    session.flush()
    return holder


@pytest.fixture
def units(org):
    return org.units


@pytest.fixture
def root_admin(units):
    return _principal((Role.ADMIN, units["root"]))


@pytest.fixture
def snv_admin(units):
    return _principal((Role.ADMIN, units["snv"]))


@pytest.fixture
def per_unit(session, root_admin, units):
    """A schedule, groups and a rule in each agency, and one schedule for the province."""
    made: dict[str, Any] = {}
    for key in ("snv", "stp"):
        unit = units[key]
        schedule = _schedule(session, root_admin, f"Lịch {key}", unit)
        group = service.create_group(
            session,
            root_admin,
            AccessGroup,
            GroupIn(name=f"Nhóm {key}", unit_id=unit.id),
            now=START,
        )
        doors = service.create_group(
            session, root_admin, DoorGroup, GroupIn(name=f"Cửa {key}", unit_id=unit.id), now=START
        )
        rule = service.create_rule(
            session,
            root_admin,
            RuleIn(
                name=f"Quy tắc {key}",
                access_group_id=group.id,
                door_group_id=doors.id,
                schedule_id=schedule.id,
            ),
            now=START,
        )
        made[key] = {"schedule": schedule, "group": group, "doors": doors, "rule": rule}
    made["province"] = _schedule(session, root_admin, "Giờ hành chính Huế", units["root"])
    return made


def test_lists_hold_only_the_callers_units(session, per_unit, snv_admin, root_admin, units):
    assert [r.name for r in service.list_rules(session, snv_admin)[0]] == ["Quy tắc snv"]
    assert service.list_rules(session, root_admin)[1] == 2
    # Its own schedule and the province's, shared down the tree; not Sở Tư pháp's.
    assert sorted(s.name for s in service.list_schedules(session, snv_admin)[0]) == [
        "Giờ hành chính Huế",
        "Lịch snv",
    ]
    stp_auditor = _principal((Role.AUDITOR, units["stp"]))
    assert [r.name for r in service.list_rules(session, stp_auditor)[0]] == ["Quy tắc stp"]
    stp_groups, _ = service.list_groups(session, stp_auditor, AccessGroup)
    assert [g.name for g in stp_groups] == ["Nhóm stp"]
    nobody = _principal((Role.HR, units["snv"]))
    assert service.list_rules(session, nobody) == ([], 0)
    assert service.list_schedules(session, nobody) == ([], 0)


def test_another_units_objects_are_not_found(session, per_unit, snv_admin):
    theirs = per_unit["stp"]
    attempts = [
        lambda: service.replace_schedule(
            session,
            snv_admin,
            theirs["schedule"].id,
            AccessScheduleIn(name="Chiếm", windows=WEEKDAYS),
            now=START,
        ),
        lambda: service.delete_schedule(session, snv_admin, theirs["schedule"].id, now=START),
        lambda: service.delete_rule(session, snv_admin, theirs["rule"].id, now=START),
        lambda: service.delete_group(
            session, snv_admin, AccessGroup, theirs["group"].id, now=START
        ),
        lambda: service.list_members(session, snv_admin, theirs["group"].id),
        lambda: service.remove_door(
            session, snv_admin, theirs["doors"].id, uuid.uuid4(), now=START
        ),
        # A rule joining its own groups to another unit's schedule.
        lambda: service.create_rule(
            session,
            snv_admin,
            RuleIn(
                name="Mượn lịch",
                access_group_id=per_unit["snv"]["group"].id,
                door_group_id=per_unit["snv"]["doors"].id,
                schedule_id=theirs["schedule"].id,
            ),
            now=START,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(AccessObjectNotFoundError):
            attempt()


def test_a_schedule_from_above_is_used_but_not_changed(session, per_unit, snv_admin):
    province = per_unit["province"]
    rule = service.create_rule(
        session,
        snv_admin,
        RuleIn(
            name="SNV theo giờ tỉnh",
            access_group_id=per_unit["snv"]["group"].id,
            door_group_id=per_unit["snv"]["doors"].id,
            schedule_id=province.id,
        ),
        now=START,
    )
    assert rule.schedule_id == province.id
    with pytest.raises(ScheduleOwnedAboveError):
        service.replace_schedule(
            session,
            snv_admin,
            province.id,
            AccessScheduleIn(name="Đổi", windows=WEEKDAYS),
            now=START,
        )
    with pytest.raises(ScheduleOwnedAboveError):
        service.delete_schedule(session, snv_admin, province.id, now=START)


def test_a_new_schedule_belongs_to_a_unit(session, units, snv_admin, root_admin):
    mine = _schedule(session, snv_admin, "Ca sáng")  # the only unit it manages
    assert mine.unit_id == units["snv"].id
    with pytest.raises(UnitNotFoundError):
        _schedule(session, snv_admin, "Ca lạ", units["stp"])
    two_hats = _principal((Role.ADMIN, units["snv"]), (Role.ADMIN, units["stp"]))
    with pytest.raises(ScheduleOwnerRequiredError):
        _schedule(session, two_hats, "Ca chung")
    with pytest.raises(ScheduleOwnerFixedError):
        service.replace_schedule(
            session,
            root_admin,
            mine.id,
            AccessScheduleIn(name="Ca sáng", windows=WEEKDAYS, unit_id=units["stp"].id),
            now=START,
        )
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "access.schedule.created")
    ).first()
    assert entry is not None
    assert entry.data["unit_id"] == str(units["snv"].id)


def test_members_of_other_units_are_not_listed(session, org, per_unit, root_admin, units):
    group = per_unit["snv"]["group"]
    own = _holder(session, org, "snv", "S1")
    other = _holder(session, org, "stp", "T1")
    for holder in (own, other):
        service.set_member(session, root_admin, group.id, MemberIn(holder_id=holder.id), now=START)
    snv_auditor = _principal((Role.AUDITOR, units["snv"]))
    members, total = service.list_members(session, snv_auditor, group.id)
    assert ([m.holder_id for m in members], total) == ([own.id], 1)
    assert service.list_members(session, root_admin, group.id)[1] == 2


def test_the_api_lists_rules_and_checks_holders_of_the_callers_units(
    client, as_user, org, session, password_hash
):
    add_user(session, org, "admin_snv", password_hash, [(Role.ADMIN, "snv")], "snv")
    admin = as_user("admin")
    for key in ("snv", "stp"):
        unit_id = str(org.units[key].id)
        schedule = client.post(
            "/api/v1/access/schedules",
            json={
                "name": f"L {key}",
                "windows": [w.model_dump(mode="json") for w in WEEKDAYS],
                "unit_id": unit_id,
            },
            headers=admin,
        ).json()
        group = client.post(
            "/api/v1/access/groups", json={"name": f"N {key}", "unit_id": unit_id}, headers=admin
        ).json()
        doors = client.post(
            "/api/v1/access/door-groups",
            json={"name": f"C {key}", "unit_id": unit_id},
            headers=admin,
        ).json()
        created = client.post(
            "/api/v1/access/rules",
            json={
                "name": f"Q {key}",
                "access_group_id": group["id"],
                "door_group_id": doors["id"],
                "schedule_id": schedule["id"],
            },
            headers=admin,
        )
        assert created.status_code == 201, created.text
    mine = client.get("/api/v1/access/rules", headers=as_user("admin_snv")).json()
    assert [rule["name"] for rule in mine["items"]] == ["Q snv"]
    assert mine["total"] == 1
    schedules = client.get("/api/v1/access/schedules", headers=as_user("admin_snv")).json()
    assert [(s["name"], s["unit_id"]) for s in schedules["items"]] == [
        ("L snv", str(org.units["snv"].id))
    ]
    reader = client.post(
        "/api/v1/readers",
        json={
            "name": "Cửa",
            "site_unit_id": str(org.units["snv"].id),
            "location": "A",
            "mode": "door",
        },
        headers=admin,
    ).json()["reader"]
    stranger = client.post(
        "/api/v1/holders",
        json={"staff_number": "T9", "full_name": "Người Lạ", "unit_id": str(org.units["stp"].id)},
        headers=admin,
    ).json()
    check = client.get(
        "/api/v1/access/check",
        params={"holder_id": stranger["id"], "reader_id": reader["id"]},
        headers=as_user("admin_snv"),
    )
    assert check.status_code == 404  # no name of another agency's holder comes back
