"""Creating users and giving them roles."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.db.base import utcnow
from card_service.users.errors import UsernameTakenError, WeakPasswordError
from card_service.users.models import Role, RoleAssignment, User
from card_service.users.passwords import MIN_PASSWORD_LENGTH, hash_password


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[tuple[Role, uuid.UUID]],
    actor: str = "system:setup",
    now: datetime | None = None,
) -> User:
    """Add a user with roles (each scoped to a unit). Flushes; the caller commits."""
    username = username.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTakenError(f"a user named {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        roles=[RoleAssignment(role=role, unit_id=unit_id) for role, unit_id in roles],
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
            "roles": [[a.role.value, str(a.unit_id)] for a in user.roles],
        },
        now=now or utcnow(),
    )
    return user
