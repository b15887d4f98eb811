"""Which access-policy objects a principal may see, use and change.

Groups and door groups belong to one unit each (``unit_id``); rules belong to the unit
of their door group (whoever keeps the doors decides who passes them). Schedules belong
to a unit too, but are shared *down* the tree: rules in the owning unit or anywhere below
it may use one, administrators of the owning unit (or above) change it, and a schedule
owned by no unit (made before migration 0014 and unused then) is installation-wide,
changed only by an administrator over every root unit. Outside these, an object is
reported as not found, exactly like a missing one. docs/administration.md has the table.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import Session

from card_service.access.errors import (
    AccessObjectNotFoundError,
    ScheduleOwnedAboveError,
    ScheduleOwnerRequiredError,
)
from card_service.access.models import Schedule
from card_service.auth.principal import Principal
from card_service.orgunits.admin import reaches_every_root, unit_in_scope
from card_service.orgunits.models import OrgUnit
from card_service.users.models import Role


def _ancestors_of_scopes(principal: Principal, roles: Iterable[Role]) -> set[uuid.UUID]:
    """Every unit on the way from a root down to each unit the principal holds a role
    over (those units included): the owners whose schedules are shared with them."""
    return {
        uuid.UUID(part) for path in principal.scope_paths(roles) for part in path.split("/") if part
    }


def schedule_filter(principal: Principal, roles: Iterable[Role]) -> ColumnElement[bool]:
    """A condition on Schedule (joined to its owner OrgUnit with an outer join): the
    schedules the principal may see and use with ``roles``."""
    wanted = tuple(roles)
    shared_from_above = _ancestors_of_scopes(principal, wanted)
    return or_(
        Schedule.unit_id.is_(None),
        Schedule.unit_id.in_(shared_from_above) if shared_from_above else false(),
        principal.unit_filter(wanted),
    )


def visible_schedules(principal: Principal, roles: Iterable[Role]) -> Select[Schedule]:
    """The schedules the principal may see with ``roles``, by name (names are unique;
    the id only makes the order total)."""
    return (
        select(Schedule)
        .outerjoin(OrgUnit, OrgUnit.id == Schedule.unit_id)
        .where(schedule_filter(principal, roles))
        .order_by(Schedule.name, Schedule.id)
    )


def usable_schedule(
    session: Session, principal: Principal, schedule_id: uuid.UUID, roles: Iterable[Role]
) -> Schedule:
    """A schedule the principal may see (and so use in a rule); not found otherwise."""
    query = (
        select(Schedule)
        .outerjoin(OrgUnit, OrgUnit.id == Schedule.unit_id)
        .where(Schedule.id == schedule_id, schedule_filter(principal, roles))
    )
    schedule = session.scalar(query)
    if schedule is None:
        raise AccessObjectNotFoundError(f"no Schedule {schedule_id}")
    return schedule


def schedule_for_change(
    session: Session, principal: Principal, schedule_id: uuid.UUID, roles: Iterable[Role]
) -> Schedule:
    """A schedule the principal may change: owned by a unit in their scope (or by no
    unit, for an installation-wide administrator). One shared with them from above is
    403 ``schedule_owned_above``; any other is not found."""
    wanted = tuple(roles)
    schedule = usable_schedule(session, principal, schedule_id, wanted)
    if schedule.unit_id is None:
        if reaches_every_root(session, principal, wanted):
            return schedule
    else:
        owner = session.get(OrgUnit, schedule.unit_id)
        if owner is not None and principal.can_reach(owner.path, wanted):
            return schedule
    raise ScheduleOwnedAboveError(
        "this schedule is shared with your units from above; its owners change it"
    )


def owner_of_new_schedule(
    session: Session, principal: Principal, unit_id: uuid.UUID | None, roles: Iterable[Role]
) -> uuid.UUID:
    """The unit that owns a new schedule: ``unit_id`` when it is in scope (else not
    found); without one, the principal's only unit for ``roles``."""
    wanted = tuple(roles)
    if unit_id is not None:
        return unit_in_scope(session, principal, unit_id, wanted).id
    units = {grant.unit_id for grant in principal.grants if grant.role in wanted}
    if len(units) != 1:
        raise ScheduleOwnerRequiredError(
            "you manage several units: say which one owns the schedule (unit_id)"
        )
    return units.pop()
