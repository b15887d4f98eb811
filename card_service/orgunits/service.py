"""Creating, finding and listing organisation units."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.auth.principal import Principal
from card_service.db.base import new_uuid, utcnow
from card_service.orgunits.errors import UnitCodeTakenError, UnitNotFoundError
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.pagination import PageParams, paginate
from card_service.users.models import Role

# Every role sees the units it works in (and their names), whatever it may do there.
ALL_ROLES = tuple(Role)


def create_unit(
    session: Session,
    *,
    kind: UnitKind,
    code: str,
    name: str,
    parent: OrgUnit | None = None,
    actor: str = "system:setup",
    now: datetime | None = None,
) -> OrgUnit:
    """Add a unit under ``parent`` (None for a root), audited. Flushes; never commits."""
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise UnitCodeTakenError(f"unit code {code!r} is already used")
    unit_id = new_uuid()
    path = (parent.path if parent else "/") + f"{unit_id}/"
    unit = OrgUnit(
        id=unit_id,
        kind=kind,
        code=code,
        name=unicodedata.normalize("NFC", name.strip()),
        parent_id=parent.id if parent else None,
        path=path,
    )
    session.add(unit)
    session.flush()
    record(
        session,
        actor=actor,
        action="unit.created",
        object_type="unit",
        object_id=unit.id,
        data={"code": code, "kind": kind.value, "parent_id": str(unit.parent_id or "")},
        now=now or utcnow(),
    )
    return unit


def unit_by_code(session: Session, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise UnitNotFoundError(f"no organisation unit with code {code!r}")
    return unit


def root_units(session: Session) -> list[OrgUnit]:
    return list(session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None))))


def list_units(
    session: Session,
    principal: Principal,
    paging: PageParams | None = None,
    *,
    kind: UnitKind | None = None,
    parent_id: uuid.UUID | None = None,
    roles: Sequence[Role] = ALL_ROLES,
) -> tuple[list[OrgUnit], int]:
    """Units where ``principal`` holds one of ``roles`` (granted units and everything
    below them), in tree order (by path), and how many there are. Without ``paging``,
    all of them."""
    query = select(OrgUnit).where(principal.unit_filter(roles)).order_by(OrgUnit.path)
    if kind is not None:
        query = query.where(OrgUnit.kind == kind)
    if parent_id is not None:
        query = query.where(OrgUnit.parent_id == parent_id)
    if paging is None:
        units = list(session.scalars(query))
        return units, len(units)
    return paginate(session, query, paging)
