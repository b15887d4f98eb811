"""Holder use cases. Each takes the caller's Principal and enforces its unit scope:
an object outside the scope is reported as not found."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from card_service.audit.service import record as audit
from card_service.auth.principal import Principal
from card_service.holders.errors import HolderNotFoundError, StaffNumberTakenError
from card_service.holders.models import Holder, HolderKind
from card_service.holders.names import fold_name, normalise_name
from card_service.holders.schemas import HolderCreate, HolderQuery, HolderUpdate
from card_service.orgunits.errors import UnitNotFoundError
from card_service.orgunits.models import OrgUnit
from card_service.pagination import PageParams, paginate
from card_service.users.models import Role

READ_ROLES = (Role.ADMIN, Role.HR, Role.COUNTER_STAFF, Role.AUDITOR)
WRITE_ROLES = (Role.ADMIN, Role.HR)


def _unit_in_scope(
    session: Session, principal: Principal, unit_id: uuid.UUID, roles: Sequence[Role]
) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_reach(unit.path, roles):
        raise UnitNotFoundError(f"no organisation unit {unit_id}")
    return unit


def get_holder(
    session: Session,
    principal: Principal,
    holder_id: uuid.UUID,
    *,
    roles: Sequence[Role] = READ_ROLES,
    for_update: bool = False,
) -> Holder:
    query = (
        select(Holder)
        .join(OrgUnit, OrgUnit.id == Holder.unit_id)
        .where(Holder.id == holder_id, principal.unit_filter(roles))
    )
    holder = session.scalar(query.with_for_update(of=Holder) if for_update else query)
    if holder is None:
        raise HolderNotFoundError(f"no holder {holder_id}")
    return holder


def holder_query(principal: Principal, filters: HolderQuery) -> Select[Holder]:
    query = (
        select(Holder)
        .join(OrgUnit, OrgUnit.id == Holder.unit_id)
        .where(principal.unit_filter(READ_ROLES))
    )
    if filters.q:
        folded = fold_name(filters.q)
        query = query.where(Holder.name_folded.contains(folded, autoescape=True))
    if filters.staff_number:
        query = query.where(Holder.staff_number == filters.staff_number)
    if filters.unit_id:
        query = query.where(Holder.unit_id == filters.unit_id)
    if filters.active is not None:
        query = query.where(Holder.active.is_(filters.active))
    return query.order_by(Holder.name_folded, Holder.id)


def list_holders(
    session: Session, principal: Principal, filters: HolderQuery, paging: PageParams
) -> tuple[list[Holder], int]:
    return paginate(session, holder_query(principal, filters), paging)


def create_holder(
    session: Session, principal: Principal, data: HolderCreate, *, now: datetime
) -> Holder:
    _unit_in_scope(session, principal, data.unit_id, WRITE_ROLES)
    if data.staff_number and _staff_number_used(session, data.staff_number):
        raise StaffNumberTakenError(f"staff number {data.staff_number} is already used")
    name = normalise_name(data.full_name)
    holder = Holder(
        kind=data.kind,
        staff_number=data.staff_number if data.kind is HolderKind.STAFF else None,
        full_name=name,
        name_folded=fold_name(name),
        unit_id=data.unit_id,
        position=data.position,
        email=data.email,
        phone=data.phone,
        photo_ref=data.photo_ref,
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(holder)
    session.flush()
    audit(
        session,
        actor=principal.actor,
        action="holder.created",
        object_type="holder",
        object_id=holder.id,
        data={"staff_number": holder.staff_number, "unit_id": str(holder.unit_id)},
        now=now,
    )
    return holder


def update_holder(
    session: Session, principal: Principal, holder: Holder, data: HolderUpdate, *, now: datetime
) -> Holder:
    """Apply the fields present in ``data``. The caller has checked If-Match."""
    changes = data.model_dump(exclude_unset=True)
    if "unit_id" in changes and changes["unit_id"] != holder.unit_id:
        _unit_in_scope(session, principal, changes["unit_id"], WRITE_ROLES)
    if "full_name" in changes:
        if changes["full_name"] is None:
            changes.pop("full_name")
        else:
            changes["full_name"] = normalise_name(changes["full_name"])
            holder.name_folded = fold_name(changes["full_name"])
    if "unit_id" in changes and changes["unit_id"] is None:
        changes.pop("unit_id")
    changed = {key: value for key, value in changes.items() if getattr(holder, key) != value}
    if not changed:
        return holder
    for key, value in changed.items():
        setattr(holder, key, value)
    holder.updated_at = now
    session.flush()
    audit(
        session,
        actor=principal.actor,
        action="holder.updated",
        object_type="holder",
        object_id=holder.id,
        data={"fields": sorted(changed)},
        now=now,
    )
    return holder


def deactivate_holder(
    session: Session, principal: Principal, holder: Holder, *, now: datetime
) -> Holder:
    if not holder.active:
        return holder
    holder.active = False
    holder.updated_at = now
    session.flush()
    audit(
        session,
        actor=principal.actor,
        action="holder.deactivated",
        object_type="holder",
        object_id=holder.id,
        data={},
        now=now,
    )
    return holder


def _staff_number_used(session: Session, staff_number: str) -> bool:
    return session.scalar(select(Holder.id).where(Holder.staff_number == staff_number)) is not None
