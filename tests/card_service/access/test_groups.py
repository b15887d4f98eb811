"""Access groups and door groups through their own service functions (no model class
passed by the caller), scoped and audited like the API."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from card_service.access import groups
from card_service.access.errors import AccessObjectNotFoundError
from card_service.access.schemas import GroupIn
from card_service.audit.models import AuditEntry
from card_service.auth.principal import Grant, Principal
from card_service.users.models import Role
from tests.card_service.conftest import START


def _principal(role, unit) -> Principal:
    return Principal(uuid.uuid4(), "someone", (Grant(role, unit.id, unit.path),))


def test_access_and_door_groups_are_kept_apart(session, org):
    admin = _principal(Role.ADMIN, org.units["root"])
    people = groups.create_access_group(
        session, admin, GroupIn(name="Văn phòng", unit_id=org.units["snv"].id), now=START
    )
    doors = groups.create_door_group(
        session, admin, GroupIn(name="Cửa chính", unit_id=org.units["snv"].id), now=START
    )
    assert [g.name for g in groups.list_access_groups(session, admin)[0]] == ["Văn phòng"]
    assert [g.name for g in groups.list_door_groups(session, admin)[0]] == ["Cửa chính"]
    assert groups.get_access_group(session, admin, people.id) is people
    assert groups.get_door_group(session, admin, doors.id) is doors
    with pytest.raises(AccessObjectNotFoundError):
        groups.get_access_group(session, admin, doors.id)  # a door group is not one of these
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"access.access_groups.created", "access.door_groups.created"} <= actions


def test_groups_outside_the_callers_units_are_not_found(session, org):
    admin = _principal(Role.ADMIN, org.units["root"])
    group = groups.create_access_group(
        session, admin, GroupIn(name="Tư pháp", unit_id=org.units["stp"].id), now=START
    )
    elsewhere = _principal(Role.ADMIN, org.units["snv"])
    assert groups.list_access_groups(session, elsewhere) == ([], 0)
    with pytest.raises(AccessObjectNotFoundError):
        groups.get_access_group(session, elsewhere, group.id)
    with pytest.raises(AccessObjectNotFoundError):
        groups.delete_access_group(session, elsewhere, group.id, now=START)
    auditor = _principal(Role.AUDITOR, org.units["root"])
    assert groups.get_access_group(session, auditor, group.id) is group  # auditors read
    groups.delete_access_group(session, admin, group.id, now=START)
    assert groups.list_access_groups(session, admin) == ([], 0)


def test_a_door_group_is_deleted_by_its_own_function(session, org):
    admin = _principal(Role.ADMIN, org.units["root"])
    group = groups.create_door_group(
        session, admin, GroupIn(name="Cổng phụ", unit_id=org.units["snv"].id), now=START
    )
    groups.delete_door_group(session, admin, group.id, now=START)
    assert groups.list_door_groups(session, admin) == ([], 0)
