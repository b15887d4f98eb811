"""Administrators changing the organisation tree: add a unit inside their scope, rename
it or change its code; the operator makes root units. Every change is audited.

Scope: an administrator works on the units they hold the admin role over (the granted
unit and everything below it). A unit outside that is reported as not found, exactly
like a missing one. The shape of the tree is card_service.orgunits.tree's.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.auth.principal import Principal
from card_service.orgunits.errors import RootUnitExistsError, UnitCodeTakenError, UnitNotFoundError
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.orgunits.schemas import RootUnitCreate, UnitCreate, UnitUpdate
from card_service.orgunits.service import create_unit, root_units
from card_service.orgunits.tree import check_placement
from card_service.users.models import Role

MANAGE_ROLES = (Role.ADMIN,)
# Every role sees the units it works in (and their names), whatever it may do there.
ALL_ROLES = tuple(Role)


def unit_in_scope(
    session: Session,
    principal: Principal,
    unit_id: uuid.UUID,
    roles: Iterable[Role] = ALL_ROLES,
    *,
    for_update: bool = False,
) -> OrgUnit:
    """A unit where the principal holds one of ``roles``; UnitNotFoundError otherwise."""
    unit = session.get(OrgUnit, unit_id, with_for_update=for_update)
    if unit is None or not principal.can_reach(unit.path, roles):
        raise UnitNotFoundError(f"no organisation unit {unit_id}")
    return unit


def reaches_every_root(session: Session, principal: Principal, roles: Iterable[Role]) -> bool:
    """True when the principal holds one of ``roles`` over every root unit: an
    installation-wide role, needed for objects that belong to no unit."""
    wanted = tuple(roles)
    paths = list(session.scalars(select(OrgUnit.path).where(OrgUnit.parent_id.is_(None))))
    return bool(paths) and all(principal.can_reach(path, wanted) for path in paths)


def add_unit(session: Session, principal: Principal, data: UnitCreate, *, now: datetime) -> OrgUnit:
    """A new unit under ``data.parent_id``, which must be in the administrator's scope."""
    parent = unit_in_scope(session, principal, data.parent_id, MANAGE_ROLES)
    check_placement(data.kind, parent.kind)
    try:
        with session.begin_nested():
            return create_unit(
                session,
                kind=data.kind,
                code=data.code,
                name=data.name,
                parent=parent,
                actor=principal.actor,
                now=now,
            )
    except IntegrityError as exc:  # the same code added concurrently
        raise UnitCodeTakenError(f"unit code {data.code!r} is already used") from exc


def update_unit(
    session: Session, principal: Principal, unit: OrgUnit, data: UnitUpdate, *, now: datetime
) -> OrgUnit:
    """Apply a new name and/or code to ``unit`` (fetched with ``unit_in_scope`` for
    MANAGE_ROLES and checked against If-Match by the caller)."""
    changes: dict[str, list[str]] = {}
    if data.name is not None:
        name = unicodedata.normalize("NFC", data.name)
        if name != unit.name:
            changes["name"] = [unit.name, name]
    if data.code is not None and data.code != unit.code:
        taken = session.scalar(select(OrgUnit.id).where(OrgUnit.code == data.code))
        if taken is not None:
            raise UnitCodeTakenError(f"unit code {data.code!r} is already used")
        changes["code"] = [unit.code, data.code]
    if not changes:
        return unit
    if "name" in changes:
        unit.name = changes["name"][1]
    if "code" in changes:
        unit.code = changes["code"][1]
    unit.version += 1
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise UnitCodeTakenError(f"unit code {data.code!r} is already used") from exc
    record(
        session,
        actor=principal.actor,
        action="unit.updated",
        object_type="unit",
        object_id=unit.id,
        data={"changes": changes},
        now=now,
    )
    return unit


def create_root_unit(
    session: Session,
    data: RootUnitCreate,
    *,
    actor: str,
    now: datetime,
    kind: UnitKind = UnitKind.PROVINCE,
) -> OrgUnit:
    """The first unit of a fresh installation (the operator's, from the CLI). Refused
    when a root already exists: a second tree is a deliberate act, not a side effect."""
    existing = root_units(session)
    if existing:
        codes = ", ".join(sorted(unit.code for unit in existing))
        raise RootUnitExistsError(
            f"a root unit already exists ({codes}); name it with --unit instead"
        )
    check_placement(kind, None)
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == data.code)) is not None:
        raise UnitCodeTakenError(f"unit code {data.code!r} is already used")
    return create_unit(session, kind=kind, code=data.code, name=data.name, actor=actor, now=now)
