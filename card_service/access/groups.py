"""Access groups (people) and door groups (readers), one function per kind and use.

The generic functions of card_service.access.service take the ORM class of the group
as an argument; callers outside the package (the console, which may not import models)
use these instead. Each is the generic call with the class filled in, so it is scoped
and audited exactly like the API's endpoints.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from card_service.access import service
from card_service.access.models import AccessGroup, DoorGroup
from card_service.access.schemas import GroupIn, GroupQuery
from card_service.auth.principal import Principal
from card_service.pagination import PageParams

# ------------------------------------------------------------------ access groups


def list_access_groups(
    session: Session,
    principal: Principal,
    filters: GroupQuery | None = None,
    paging: PageParams | None = None,
) -> tuple[list[AccessGroup], int]:
    """Access groups of units the principal may read the policy of, by name, and how
    many match; without ``paging``, all of them."""
    return service.list_groups(session, principal, AccessGroup, filters, paging)


def get_access_group(session: Session, principal: Principal, group_id: uuid.UUID) -> AccessGroup:
    """An access group the principal may read; AccessObjectNotFoundError otherwise."""
    return service.group_in_scope(session, principal, AccessGroup, group_id, service.READ_ROLES)


def create_access_group(
    session: Session, principal: Principal, data: GroupIn, *, now: datetime
) -> AccessGroup:
    return service.create_group(session, principal, AccessGroup, data, now=now)


def delete_access_group(
    session: Session, principal: Principal, group_id: uuid.UUID, *, now: datetime
) -> None:
    service.delete_group(session, principal, AccessGroup, group_id, now=now)


# ------------------------------------------------------------------ door groups


def list_door_groups(
    session: Session,
    principal: Principal,
    filters: GroupQuery | None = None,
    paging: PageParams | None = None,
) -> tuple[list[DoorGroup], int]:
    """Door groups of units the principal may read the policy of, by name, and how
    many match; without ``paging``, all of them."""
    return service.list_groups(session, principal, DoorGroup, filters, paging)


def get_door_group(session: Session, principal: Principal, group_id: uuid.UUID) -> DoorGroup:
    """A door group the principal may read; AccessObjectNotFoundError otherwise."""
    return service.group_in_scope(session, principal, DoorGroup, group_id, service.READ_ROLES)


def create_door_group(
    session: Session, principal: Principal, data: GroupIn, *, now: datetime
) -> DoorGroup:
    return service.create_group(session, principal, DoorGroup, data, now=now)


def delete_door_group(
    session: Session, principal: Principal, group_id: uuid.UUID, *, now: datetime
) -> None:
    service.delete_group(session, principal, DoorGroup, group_id, now=now)
