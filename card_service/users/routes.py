"""``/api/v1/users``: administrators manage accounts; auditors read them
(docs/administration.md). Every change needs the ETag last read, as If-Match."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy.orm import Session

from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.auth.signin import locked_until
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.etags import check_if_match, etag_for
from card_service.pagination import Page, Paging
from card_service.problems import Problem
from card_service.users import admin
from card_service.users.models import Role, User
from card_service.users.schemas import (
    GrantIn,
    GrantOut,
    PasswordReset,
    UserCreate,
    UserOut,
    UserQuery,
    UserUpdate,
)

router = APIRouter(prefix="/users", tags=["users"])
Viewer = Annotated[Principal, Depends(requires(*admin.READ_ROLES))]
Manager = Annotated[Principal, Depends(requires(*admin.MANAGE_ROLES))]
IfMatch = Annotated[str | None, Header()]
NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": Problem}}
CHANGE_ERRORS: dict[int | str, dict[str, object]] = {
    403: {"model": Problem},
    409: {"model": Problem},
    412: {"model": Problem},
    428: {"model": Problem},
    **NOT_FOUND,
}


def _out(session: Session, user: User, response: Response, now: Now) -> UserOut:
    response.headers["ETag"] = etag_for("user", user.id, user.version)
    return _describe(session, user, now)


def _describe(session: Session, user: User, now: Now) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        unit_id=user.unit_id,
        active=user.active,
        roles=[GrantOut.model_validate(grant) for grant in user.roles],
        created_at=user.created_at,
        locked_until=locked_until(session, user.username, now=now),
    )


def _for_change(
    session: Session, principal: Principal, user_id: uuid.UUID, if_match: str | None
) -> User:
    user = admin.get_user(session, principal, user_id, roles=admin.MANAGE_ROLES, for_update=True)
    check_if_match(if_match, etag_for("user", user.id, user.version))
    return user


@router.get("", response_model=Page[UserOut])
def list_users(
    principal: Viewer,
    session: DbSession,
    paging: Paging,
    now: Now,
    q: Annotated[str | None, Query(max_length=100, description="Part of username or name")] = None,
    role: Role | None = None,
    unit_id: uuid.UUID | None = None,
    active: bool | None = None,
) -> Page[UserOut]:
    filters = UserQuery(q=q, role=role, unit_id=unit_id, active=active)
    items, total = admin.list_users(session, principal, filters, paging)
    return Page[UserOut](
        items=[_describe(session, user, now) for user in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post(
    "",
    response_model=UserOut,
    status_code=201,
    responses={409: {"model": Problem}, 422: {"model": Problem}, **NOT_FOUND},
)
def create_user(
    body: UserCreate, principal: Manager, session: DbSession, now: Now, response: Response
) -> UserOut:
    """An account in a unit you manage, with an initial password you hand over and
    roles over units you manage."""
    user = admin.create_user(session, principal, body, now=now)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return _out(session, user, response, now)


@router.get("/{user_id}", response_model=UserOut, responses=NOT_FOUND)
def get_user(
    user_id: uuid.UUID, principal: Viewer, session: DbSession, now: Now, response: Response
) -> UserOut:
    return _out(session, admin.get_user(session, principal, user_id), response, now)


@router.patch("/{user_id}", response_model=UserOut, responses=CHANGE_ERRORS)
def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    principal: Manager,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> UserOut:
    user = _for_change(session, principal, user_id, if_match)
    return _out(session, admin.update_user(session, principal, user, body, now=now), response, now)


@router.post("/{user_id}/roles", response_model=UserOut, responses=CHANGE_ERRORS)
def grant_role(
    user_id: uuid.UUID,
    body: GrantIn,
    principal: Manager,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> UserOut:
    """Give the account a role over a unit you manage (and everything below it)."""
    user = _for_change(session, principal, user_id, if_match)
    return _out(session, admin.grant_role(session, principal, user, body, now=now), response, now)


@router.delete("/{user_id}/roles/{grant_id}", response_model=UserOut, responses=CHANGE_ERRORS)
def revoke_role(
    user_id: uuid.UUID,
    grant_id: uuid.UUID,
    principal: Manager,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> UserOut:
    user = _for_change(session, principal, user_id, if_match)
    revoked = admin.revoke_role(session, principal, user, grant_id, now=now)
    return _out(session, revoked, response, now)


@router.post("/{user_id}/disable", response_model=UserOut, responses=CHANGE_ERRORS)
def disable_user(
    user_id: uuid.UUID,
    principal: Manager,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> UserOut:
    """The account stops working at once; its refresh tokens and console sessions end."""
    user = _for_change(session, principal, user_id, if_match)
    return _out(session, admin.disable_user(session, principal, user, now=now), response, now)


@router.post("/{user_id}/enable", response_model=UserOut, responses=CHANGE_ERRORS)
def enable_user(
    user_id: uuid.UUID,
    principal: Manager,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> UserOut:
    user = _for_change(session, principal, user_id, if_match)
    return _out(session, admin.enable_user(session, principal, user, now=now), response, now)


@router.post("/{user_id}/password", response_model=UserOut, responses=CHANGE_ERRORS)
def reset_password(
    user_id: uuid.UUID,
    body: PasswordReset,
    principal: Manager,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> UserOut:
    """Set a new password to hand over; every sign-in of the account ends and a
    lock-out is lifted."""
    user = _for_change(session, principal, user_id, if_match)
    changed = admin.reset_password(session, principal, user, body, now=now)
    return _out(session, changed, response, now)
