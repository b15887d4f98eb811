"""Listing the organisation units in a caller's scope, as a service function."""

from __future__ import annotations

import uuid

from card_service.auth.principal import Grant, Principal
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import list_units
from card_service.pagination import PageParams
from card_service.users.models import Role


def _principal(*grants: tuple[Role, object]) -> Principal:
    return Principal(
        uuid.uuid4(),
        "someone",
        tuple(Grant(role, unit.id, unit.path) for role, unit in grants),  # type: ignore[attr-defined]
    )


def test_a_scope_is_the_granted_unit_and_everything_below_it_in_tree_order(session, org):
    units, total = list_units(session, _principal((Role.HR, org.units["snv"])))
    assert [u.code for u in units] == ["SNV", "SNV-VP"]
    assert total == 2
    everything, _ = list_units(session, _principal((Role.ADMIN, org.units["root"])))
    assert everything[0].code == "HUE"  # the root first, each unit before its children
    assert {u.code for u in everything} == {"HUE", "SNV", "SNV-VP", "STP", "TTPVHCC"}
    paths = [u.path for u in everything]
    assert paths == sorted(paths)


def test_filters_roles_and_pages(session, org):
    admin = _principal((Role.ADMIN, org.units["root"]), (Role.HR, org.units["stp"]))
    agencies, _ = list_units(session, admin, kind=UnitKind.AGENCY)
    assert {u.code for u in agencies} == {"SNV", "STP"}
    children, _ = list_units(session, admin, parent_id=org.units["snv"].id)
    assert [u.code for u in children] == ["SNV-VP"]
    as_hr, _ = list_units(session, admin, roles=(Role.HR,))
    assert [u.code for u in as_hr] == ["STP"]
    page, total = list_units(session, admin, PageParams(limit=2, offset=1))
    assert len(page) == 2
    assert total == 5
    assert list_units(session, _principal())[0] == []
