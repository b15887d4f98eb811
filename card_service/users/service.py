"""Creating users and giving them roles."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.db.base import utcnow
from card_service.orgunits.models import OrgUnit
from card_service.users.errors import UsernameTakenError, WeakPasswordError
from card_service.users.models import Role, RoleAssignment, User
from card_service.users.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hash_password


def check_password(password: str) -> None:
    """Raise WeakPasswordError for a password too short (or absurdly long) to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"passwords have at most {MAX_PASSWORD_LENGTH} characters")


def deepest_common_unit(session: Session, unit_ids: Iterable[uuid.UUID]) -> uuid.UUID | None:
    """The deepest unit containing every one of ``unit_ids`` (None if they have no
    common ancestor, or there are none)."""
    paths = list(session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(set(unit_ids)))))
    chains = [[part for part in path.split("/") if part] for path in paths]
    common: list[str] = []
    for parts in zip(*chains, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return uuid.UUID(common[-1]) if chains and common else None


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[tuple[Role, uuid.UUID]],
    unit_id: uuid.UUID | None = None,
    actor: str = "system:setup",
    now: datetime | None = None,
) -> User:
    """Add a user with roles (each scoped to a unit). ``unit_id`` is the unit whose
    administrators manage the account; by default the deepest unit containing all of
    its roles. Flushes; the caller commits."""
    username = username.strip().lower()
    check_password(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTakenError(f"a user named {username!r} already exists")
    roles = list(roles)
    if unit_id is None:
        unit_id = deepest_common_unit(session, [unit for _, unit in roles])
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        unit_id=unit_id,
        roles=[RoleAssignment(role=role, unit_id=unit) for role, unit in roles],
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.created",
        object_type="user",
        object_id=user.id,
        data={
            "username": username,
            "unit_id": str(unit_id) if unit_id else None,
            "roles": [[a.role.value, str(a.unit_id)] for a in user.roles],
        },
        now=now or utcnow(),
    )
    return user
