"""Editing the access policy. Every change is audited and bumps the policy version,
so readers fetch their new configuration. Every function is scoped to the principal's
units (card_service.access.scope): another unit's object is not found, lists hold only
the caller's."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from card_service.access import scope, versioning
from card_service.access.errors import (
    AccessNameTakenError,
    AccessObjectNotFoundError,
    ScheduleInUseError,
    ScheduleOwnerFixedError,
)
from card_service.access.models import (
    AccessGroup,
    AccessGroupMember,
    AccessRule,
    DoorGroup,
    DoorGroupMember,
    Schedule,
)
from card_service.access.schemas import (
    AccessScheduleIn,
    GroupIn,
    GroupQuery,
    MemberIn,
    MemberQuery,
    RuleIn,
    RuleQuery,
    ScheduleQuery,
)
from card_service.audit.service import record
from card_service.auth.principal import Principal
from card_service.holders.models import Holder
from card_service.holders.names import fold_name
from card_service.holders.service import get_holder
from card_service.orgunits.errors import UnitNotFoundError
from card_service.orgunits.models import OrgUnit
from card_service.pagination import PageParams, paginate
from card_service.readers.service import get_reader
from card_service.search import name_contains
from card_service.users.models import Role

MANAGE_ROLES = (Role.ADMIN,)
READ_ROLES = (Role.ADMIN, Role.AUDITOR)
T = TypeVar("T")
Group = TypeVar("Group", AccessGroup, DoorGroup)


def _changed(  # noqa: PLR0917 - every call passes the same six facts in order
    session: Session,
    principal: Principal,
    action: str,
    kind: str,
    object_id: uuid.UUID,
    data: dict[str, Any],
    *,
    now: datetime,
) -> None:
    record(
        session,
        actor=principal.actor,
        action=f"access.{action}",
        object_type=kind,
        object_id=object_id,
        data=data,
        now=now,
    )
    versioning.bump(session, now=now)


def _flush_named(session: Session, name: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise AccessNameTakenError(f"the name {name!r} is already used") from exc


def _get(session: Session, model: type[T], object_id: uuid.UUID) -> T:
    found = session.get(model, object_id)
    if found is None:
        raise AccessObjectNotFoundError(f"no {model.__name__} {object_id}")
    return found


def _page(session: Session, query: Select[T], paging: PageParams | None) -> tuple[list[T], int]:
    """One page of ``query`` and how many rows it has; without ``paging``, every row
    (the console shows a unit's whole policy on one page)."""
    if paging is None:
        rows = list(session.scalars(query))
        return rows, len(rows)
    return paginate(session, query, paging)


def _scoped_unit(session: Session, principal: Principal, unit_id: uuid.UUID) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_reach(unit.path, MANAGE_ROLES):
        raise UnitNotFoundError(f"no organisation unit {unit_id}")
    return unit


def group_in_scope(
    session: Session,
    principal: Principal,
    model: type[Group],
    group_id: uuid.UUID,
    roles: tuple[Role, ...] = MANAGE_ROLES,
) -> Group:
    """A group of a unit where the principal holds one of ``roles``; else not found."""
    group = session.get(model, group_id)
    unit = session.get(OrgUnit, group.unit_id) if group is not None else None
    if group is None or unit is None or not principal.can_reach(unit.path, roles):
        raise AccessObjectNotFoundError(f"no {model.__name__} {group_id}")
    return group


# ------------------------------------------------------------------ schedules


def create_schedule(
    session: Session, principal: Principal, data: AccessScheduleIn, *, now: datetime
) -> Schedule:
    owner = scope.owner_of_new_schedule(session, principal, data.unit_id, MANAGE_ROLES)
    schedule = Schedule(
        name=data.name,
        windows=[w.model_dump(mode="json") for w in data.windows],
        closed_on_holidays=data.closed_on_holidays,
        unit_id=owner,
    )
    session.add(schedule)
    _flush_named(session, data.name)
    _changed(
        session,
        principal,
        "schedule.created",
        "schedule",
        schedule.id,
        {"name": data.name, "unit_id": str(owner)},
        now=now,
    )
    return schedule


def replace_schedule(
    session: Session,
    principal: Principal,
    schedule_id: uuid.UUID,
    data: AccessScheduleIn,
    *,
    now: datetime,
) -> Schedule:
    schedule = scope.schedule_for_change(session, principal, schedule_id, MANAGE_ROLES)
    if data.unit_id is not None and data.unit_id != schedule.unit_id:
        raise ScheduleOwnerFixedError("make a new schedule for the other unit instead")
    schedule.name = data.name
    schedule.windows = [w.model_dump(mode="json") for w in data.windows]
    schedule.closed_on_holidays = data.closed_on_holidays
    _flush_named(session, data.name)
    _changed(
        session,
        principal,
        "schedule.changed",
        "schedule",
        schedule.id,
        {"name": data.name},
        now=now,
    )
    return schedule


def delete_schedule(
    session: Session, principal: Principal, schedule_id: uuid.UUID, *, now: datetime
) -> None:
    schedule = scope.schedule_for_change(session, principal, schedule_id, MANAGE_ROLES)
    if session.scalar(select(AccessRule.id).where(AccessRule.schedule_id == schedule.id)):
        raise ScheduleInUseError("remove the rules that use this schedule first")
    session.delete(schedule)
    session.flush()
    _changed(session, principal, "schedule.deleted", "schedule", schedule_id, {}, now=now)


def list_schedules(
    session: Session,
    principal: Principal,
    filters: ScheduleQuery | None = None,
    paging: PageParams | None = None,
) -> tuple[list[Schedule], int]:
    """Schedules of the principal's units and those shared with them from above, by
    name, and how many match. ``unit_id`` is the owning unit."""
    filters = filters or ScheduleQuery()
    query = scope.visible_schedules(principal, READ_ROLES)
    if filters.unit_id is not None:
        query = query.where(Schedule.unit_id == filters.unit_id)
    if filters.q:
        query = name_contains(
            session, query, filters.q, id_column=Schedule.id, names=(Schedule.name,)
        )
    return _page(session, query, paging)


# ------------------------------------------------------------------ groups


def create_group(
    session: Session,
    principal: Principal,
    model: type[Group],
    data: GroupIn,
    *,
    now: datetime,
) -> Group:
    _scoped_unit(session, principal, data.unit_id)
    group = model(name=data.name, unit_id=data.unit_id)
    session.add(group)
    _flush_named(session, data.name)
    _changed(
        session,
        principal,
        f"{model.__tablename__}.created",
        model.__tablename__,
        group.id,
        {"name": data.name},
        now=now,
    )
    return group


def list_groups(
    session: Session,
    principal: Principal,
    model: type[Group],
    filters: GroupQuery | None = None,
    paging: PageParams | None = None,
) -> tuple[list[Group], int]:
    """Groups of the principal's units, by name, and how many match."""
    filters = filters or GroupQuery()
    query = (
        select(model)
        .join(OrgUnit, OrgUnit.id == model.unit_id)
        .where(principal.unit_filter(READ_ROLES))
        .order_by(model.name, model.id)
    )
    if filters.unit_id is not None:
        query = query.where(model.unit_id == filters.unit_id)
    if filters.q:
        query = name_contains(session, query, filters.q, id_column=model.id, names=(model.name,))
    return _page(session, query, paging)


def delete_group(
    session: Session,
    principal: Principal,
    model: type[Group],
    group_id: uuid.UUID,
    *,
    now: datetime,
) -> None:
    group = group_in_scope(session, principal, model, group_id)
    session.delete(group)
    session.flush()
    _changed(
        session,
        principal,
        f"{model.__tablename__}.deleted",
        model.__tablename__,
        group_id,
        {},
        now=now,
    )


def set_member(
    session: Session,
    principal: Principal,
    group_id: uuid.UUID,
    data: MemberIn,
    *,
    now: datetime,
) -> AccessGroupMember:
    """Add a holder to an access group, or change their membership's validity."""
    group_in_scope(session, principal, AccessGroup, group_id)
    get_holder(session, principal, data.holder_id, roles=MANAGE_ROLES)
    member = session.scalar(
        select(AccessGroupMember).where(
            AccessGroupMember.group_id == group_id, AccessGroupMember.holder_id == data.holder_id
        )
    )
    if member is None:
        member = AccessGroupMember(group_id=group_id, holder_id=data.holder_id)
        session.add(member)
    member.valid_from = data.valid_from
    member.valid_until = data.valid_until
    session.flush()
    _changed(
        session,
        principal,
        "member.set",
        "access_group",
        group_id,
        {
            "holder_id": str(data.holder_id),
            "valid_from": data.valid_from.isoformat() if data.valid_from else None,
            "valid_until": data.valid_until.isoformat() if data.valid_until else None,
        },
        now=now,
    )
    return member


def remove_member(
    session: Session,
    principal: Principal,
    group_id: uuid.UUID,
    holder_id: uuid.UUID,
    *,
    now: datetime,
) -> None:
    group_in_scope(session, principal, AccessGroup, group_id)
    session.execute(
        delete(AccessGroupMember).where(
            AccessGroupMember.group_id == group_id, AccessGroupMember.holder_id == holder_id
        )
    )
    _changed(
        session,
        principal,
        "member.removed",
        "access_group",
        group_id,
        {"holder_id": str(holder_id)},
        now=now,
    )


def list_members(
    session: Session,
    principal: Principal,
    group_id: uuid.UUID,
    filters: MemberQuery | None = None,
    paging: PageParams | None = None,
) -> tuple[list[AccessGroupMember], int]:
    """Members of a group of the principal's, who are holders of the principal's units
    (a group may hold people of other units, added by an administrator above), by the
    holder's name, and how many match. ``q`` searches the holder's name like the holder
    list does; ``valid_on`` keeps memberships valid that day (bounds inclusive)."""
    filters = filters or MemberQuery()
    group_in_scope(session, principal, AccessGroup, group_id, READ_ROLES)
    query = (
        select(AccessGroupMember)
        .join(Holder, Holder.id == AccessGroupMember.holder_id)
        .join(OrgUnit, OrgUnit.id == Holder.unit_id)
        .where(AccessGroupMember.group_id == group_id, principal.unit_filter(READ_ROLES))
        .order_by(Holder.name_folded, Holder.id)
    )
    if filters.q:
        folded = fold_name(filters.q)
        query = query.where(Holder.name_folded.contains(folded, autoescape=True))
    if filters.valid_on is not None:
        day = filters.valid_on
        query = query.where(
            or_(AccessGroupMember.valid_from.is_(None), AccessGroupMember.valid_from <= day),
            or_(AccessGroupMember.valid_until.is_(None), AccessGroupMember.valid_until >= day),
        )
    return _page(session, query, paging)


def add_door(
    session: Session,
    principal: Principal,
    door_group_id: uuid.UUID,
    reader_id: uuid.UUID,
    *,
    now: datetime,
) -> None:
    group_in_scope(session, principal, DoorGroup, door_group_id)
    get_reader(session, principal, reader_id, roles=MANAGE_ROLES)
    exists = session.scalar(
        select(DoorGroupMember.id).where(
            DoorGroupMember.door_group_id == door_group_id, DoorGroupMember.reader_id == reader_id
        )
    )
    if exists is None:
        session.add(DoorGroupMember(door_group_id=door_group_id, reader_id=reader_id))
        session.flush()
        _changed(
            session,
            principal,
            "door.added",
            "door_group",
            door_group_id,
            {"reader_id": str(reader_id)},
            now=now,
        )


def remove_door(
    session: Session,
    principal: Principal,
    door_group_id: uuid.UUID,
    reader_id: uuid.UUID,
    *,
    now: datetime,
) -> None:
    group_in_scope(session, principal, DoorGroup, door_group_id)
    session.execute(
        delete(DoorGroupMember).where(
            DoorGroupMember.door_group_id == door_group_id, DoorGroupMember.reader_id == reader_id
        )
    )
    _changed(
        session,
        principal,
        "door.removed",
        "door_group",
        door_group_id,
        {"reader_id": str(reader_id)},
        now=now,
    )


# ------------------------------------------------------------------ rules


def create_rule(
    session: Session, principal: Principal, data: RuleIn, *, now: datetime
) -> AccessRule:
    group_in_scope(session, principal, AccessGroup, data.access_group_id)
    group_in_scope(session, principal, DoorGroup, data.door_group_id)
    scope.usable_schedule(session, principal, data.schedule_id, MANAGE_ROLES)
    rule = AccessRule(**data.model_dump())
    session.add(rule)
    session.flush()
    _changed(
        session, principal, "rule.created", "access_rule", rule.id, {"name": data.name}, now=now
    )
    return rule


def delete_rule(
    session: Session, principal: Principal, rule_id: uuid.UUID, *, now: datetime
) -> None:
    rule = _get(session, AccessRule, rule_id)
    group_in_scope(session, principal, DoorGroup, rule.door_group_id)
    session.delete(rule)
    session.flush()
    _changed(session, principal, "rule.deleted", "access_rule", rule_id, {}, now=now)


def list_rules(
    session: Session,
    principal: Principal,
    filters: RuleQuery | None = None,
    paging: PageParams | None = None,
) -> tuple[list[AccessRule], int]:
    """Rules of the principal's units (those whose door group is in their scope), by
    name, and how many match. The id filters narrow that set; an id from another unit
    matches nothing, like an unknown one."""
    filters = filters or RuleQuery()
    query = (
        select(AccessRule)
        .join(DoorGroup, DoorGroup.id == AccessRule.door_group_id)
        .join(OrgUnit, OrgUnit.id == DoorGroup.unit_id)
        .where(principal.unit_filter(READ_ROLES))
        .order_by(AccessRule.name, AccessRule.id)
    )
    if filters.access_group_id is not None:
        query = query.where(AccessRule.access_group_id == filters.access_group_id)
    if filters.door_group_id is not None:
        query = query.where(AccessRule.door_group_id == filters.door_group_id)
    if filters.schedule_id is not None:
        query = query.where(AccessRule.schedule_id == filters.schedule_id)
    if filters.q:
        query = name_contains(
            session, query, filters.q, id_column=AccessRule.id, names=(AccessRule.name,)
        )
    return _page(session, query, paging)
