"""Administrators managing accounts: create, list, read, rename or move, grant and revoke
roles, disable and enable, reset a password. Every change is audited and bumps the
account's version (its ETag).

Who may touch which account (docs/administration.md):
- an account belongs to a unit (``User.unit_id``); administrators and auditors whose
  scope contains that unit see it, everyone else gets 404 as for a missing account;
- an administrator changes an account only when every role it holds lies inside the
  administrator's own admin scope (else 403 ``user_beyond_scope``): resetting the
  password of someone who outranks you would be taking their powers;
- roles are granted only over units inside the granter's admin scope, so nobody grants
  more than they hold; nobody changes their own roles, state or password here (409).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.auth import browser_sessions, refresh
from card_service.auth.principal import Principal
from card_service.auth.signin import clear_failures
from card_service.orgunits.admin import reaches_every_root, unit_in_scope
from card_service.orgunits.models import OrgUnit
from card_service.pagination import PageParams, paginate
from card_service.users import service
from card_service.users.errors import (
    GrantNotFoundError,
    OwnAccountError,
    UserBeyondScopeError,
    UsernameTakenError,
    UserNotFoundError,
)
from card_service.users.models import Role, RoleAssignment, User
from card_service.users.passwords import hash_password
from card_service.users.schemas import GrantIn, PasswordReset, UserCreate, UserQuery, UserUpdate

MANAGE_ROLES = (Role.ADMIN,)
READ_ROLES = (Role.ADMIN, Role.AUDITOR)


def _visible(session: Session, principal: Principal, roles: tuple[Role, ...]) -> Select[User]:
    """Accounts whose unit is in the principal's scope for ``roles``; accounts of no
    unit only for an installation-wide principal."""
    condition: ColumnElement[bool] = principal.unit_filter(roles)
    if reaches_every_root(session, principal, roles):
        condition = or_(condition, User.unit_id.is_(None))
    return select(User).outerjoin(OrgUnit, OrgUnit.id == User.unit_id).where(condition)


def get_user(
    session: Session,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    roles: tuple[Role, ...] = READ_ROLES,
    for_update: bool = False,
) -> User:
    query = _visible(session, principal, roles).where(User.id == user_id)
    user = session.scalar(query.with_for_update(of=User) if for_update else query)
    if user is None:
        raise UserNotFoundError(f"no user {user_id}")
    return user


def list_users(
    session: Session, principal: Principal, filters: UserQuery, paging: PageParams
) -> tuple[list[User], int]:
    query = _visible(session, principal, READ_ROLES).order_by(User.username)
    if filters.q:
        needle = filters.q.strip().lower()
        query = query.where(
            or_(
                User.username.contains(needle, autoescape=True),
                func.lower(User.display_name).contains(needle, autoescape=True),
            )
        )
    if filters.role is not None:
        query = query.where(
            exists().where(RoleAssignment.user_id == User.id, RoleAssignment.role == filters.role)
        )
    if filters.unit_id is not None:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.active is not None:
        query = query.where(User.active.is_(filters.active))
    return paginate(session, query, paging)


def _check_reach(session: Session, principal: Principal, user: User, *, self_ok: bool) -> None:
    """Raise unless the principal may change ``user`` (see the module's docstring)."""
    if user.id == principal.user_id and not self_ok:
        raise OwnAccountError("another administrator must do this for you")
    grant_paths = session.scalars(
        select(OrgUnit.path)
        .join(RoleAssignment, RoleAssignment.unit_id == OrgUnit.id)
        .where(RoleAssignment.user_id == user.id)
    )
    if not all(principal.can_reach(path, MANAGE_ROLES) for path in grant_paths):
        raise UserBeyondScopeError(
            "this account holds roles over units outside yours; ask an administrator above"
        )


def _changed(
    session: Session,
    principal: Principal,
    user: User,
    action: str,
    data: Mapping[str, object],
    *,
    now: datetime,
) -> None:
    user.version += 1
    session.flush()
    record(
        session,
        actor=principal.actor,
        action=f"user.{action}",
        object_type="user",
        object_id=user.id,
        data={"username": user.username, **data},
        now=now,
    )


def create_user(session: Session, principal: Principal, data: UserCreate, *, now: datetime) -> User:
    unit_in_scope(session, principal, data.unit_id, MANAGE_ROLES)
    for grant in data.roles:
        unit_in_scope(session, principal, grant.unit_id, MANAGE_ROLES)
    try:
        with session.begin_nested():
            return service.create_user(
                session,
                username=data.username,
                display_name=data.display_name,
                password=data.password,
                roles=sorted({(grant.role, grant.unit_id) for grant in data.roles}),
                unit_id=data.unit_id,
                actor=principal.actor,
                now=now,
            )
    except IntegrityError as exc:  # the same name created concurrently
        raise UsernameTakenError(f"a user named {data.username!r} already exists") from exc


def update_user(
    session: Session, principal: Principal, user: User, data: UserUpdate, *, now: datetime
) -> User:
    """A new display name, or a new managing unit (inside the caller's scope)."""
    _check_reach(session, principal, user, self_ok=data.unit_id is None)
    changes: dict[str, object] = {}
    if data.display_name is not None and data.display_name != user.display_name:
        changes["display_name"] = [user.display_name, data.display_name]
        user.display_name = data.display_name
    if data.unit_id is not None and data.unit_id != user.unit_id:
        unit_in_scope(session, principal, data.unit_id, MANAGE_ROLES)
        changes["unit_id"] = [str(user.unit_id) if user.unit_id else None, str(data.unit_id)]
        user.unit_id = data.unit_id
    if changes:
        _changed(session, principal, user, "updated", {"changes": changes}, now=now)
    return user


def grant_role(
    session: Session, principal: Principal, user: User, data: GrantIn, *, now: datetime
) -> User:
    """Give ``user`` a role over a unit of the caller's. Granting one already held
    changes nothing."""
    _check_reach(session, principal, user, self_ok=False)
    unit_in_scope(session, principal, data.unit_id, MANAGE_ROLES)
    held = session.scalar(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == data.role,
            RoleAssignment.unit_id == data.unit_id,
        )
    )
    if held is not None:
        return user
    grant = RoleAssignment(user_id=user.id, role=data.role, unit_id=data.unit_id)
    session.add(grant)
    session.flush()
    session.refresh(user, ["roles"])
    data_out = {"grant_id": str(grant.id), "role": data.role.value, "unit_id": str(data.unit_id)}
    _changed(session, principal, user, "role_granted", data_out, now=now)
    return user


def revoke_role(
    session: Session, principal: Principal, user: User, grant_id: uuid.UUID, *, now: datetime
) -> User:
    _check_reach(session, principal, user, self_ok=False)
    grant = session.get(RoleAssignment, grant_id)
    if grant is None or grant.user_id != user.id:
        raise GrantNotFoundError(f"user {user.id} holds no grant {grant_id}")
    revoked = {"grant_id": str(grant.id), "role": grant.role.value, "unit_id": str(grant.unit_id)}
    session.delete(grant)
    session.flush()
    session.refresh(user, ["roles"])
    _changed(session, principal, user, "role_revoked", revoked, now=now)
    return user


def _sign_out_everywhere(session: Session, user: User, *, now: datetime) -> dict[str, object]:
    return {
        "refresh_tokens_revoked": refresh.revoke_all_for_user(session, user.id, now=now),
        "browser_sessions_revoked": browser_sessions.revoke_browser_sessions_of_user(
            session, user.id, now=now
        ),
    }


def disable_user(session: Session, principal: Principal, user: User, *, now: datetime) -> User:
    """The account stops working at once: its access tokens are refused from the next
    request on, its refresh tokens and console sessions are revoked."""
    _check_reach(session, principal, user, self_ok=False)
    if not user.active:
        return user
    user.active = False
    _changed(
        session, principal, user, "disabled", _sign_out_everywhere(session, user, now=now), now=now
    )
    return user


def enable_user(session: Session, principal: Principal, user: User, *, now: datetime) -> User:
    _check_reach(session, principal, user, self_ok=False)
    if user.active:
        return user
    user.active = True
    _changed(session, principal, user, "enabled", {}, now=now)
    return user


def reset_password(
    session: Session, principal: Principal, user: User, data: PasswordReset, *, now: datetime
) -> User:
    """Set a new password the administrator hands over. Every sign-in of the account
    ends and any lock-out is lifted."""
    _check_reach(session, principal, user, self_ok=False)
    service.check_password(data.password)
    user.password_hash = hash_password(data.password)
    clear_failures(session, user.username)
    _changed(
        session,
        principal,
        user,
        "password_reset",
        _sign_out_everywhere(session, user, now=now),
        now=now,
    )
    return user
