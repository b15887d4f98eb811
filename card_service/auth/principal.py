"""Who is calling, with which roles over which units."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from card_service.orgunits.models import OrgUnit
from card_service.users.models import Role, RoleAssignment, User


@dataclass(frozen=True)
class Grant:
    role: Role
    unit_id: uuid.UUID
    unit_path: str


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    username: str
    grants: tuple[Grant, ...]

    @property
    def actor(self) -> str:
        """How this principal appears in audit entries and card history."""
        return f"user:{self.username}"

    def has_any(self, roles: Iterable[Role]) -> bool:
        wanted = set(roles)
        return any(grant.role in wanted for grant in self.grants)

    def scope_paths(self, roles: Iterable[Role]) -> list[str]:
        """Unit paths (prefixes) where the principal holds one of ``roles``."""
        wanted = set(roles)
        return sorted({grant.unit_path for grant in self.grants if grant.role in wanted})

    def can_reach(self, unit_path: str, roles: Iterable[Role]) -> bool:
        return any(unit_path.startswith(prefix) for prefix in self.scope_paths(roles))

    def unit_filter(self, roles: Iterable[Role]) -> ColumnElement[bool]:
        """A condition on ``OrgUnit.path`` (join OrgUnit): the unit is inside a scope."""
        prefixes = self.scope_paths(roles)
        if not prefixes:
            return false()
        return or_(*(OrgUnit.path.startswith(prefix, autoescape=True) for prefix in prefixes))


def load_principal(session: Session, user: User) -> Principal:
    rows = session.execute(
        select(RoleAssignment.role, OrgUnit.id, OrgUnit.path)
        .join(OrgUnit, OrgUnit.id == RoleAssignment.unit_id)
        .where(RoleAssignment.user_id == user.id)
    )
    grants = tuple(
        Grant(role=role, unit_id=unit_id, unit_path=path) for role, unit_id, path in rows
    )
    return Principal(user_id=user.id, username=user.username, grants=grants)


def active_principal(session: Session, user_id: uuid.UUID) -> Principal | None:
    """The principal of an active user, in one query (it runs on every request)."""
    rows = session.execute(
        select(User.username, RoleAssignment.role, OrgUnit.id, OrgUnit.path)
        .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
        .outerjoin(OrgUnit, OrgUnit.id == RoleAssignment.unit_id)
        .where(User.id == user_id, User.active.is_(True))
    ).all()
    if not rows:
        return None
    grants = tuple(
        Grant(role=role, unit_id=unit_id, unit_path=path)
        for _, role, unit_id, path in rows
        if role is not None
    )
    return Principal(user_id=user_id, username=rows[0].username, grants=grants)
