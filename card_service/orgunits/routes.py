"""``/api/v1/units``: the organisation tree a caller can see, and administrators'
changes to it (docs/administration.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from card_service.auth.dependencies import CurrentPrincipal, requires
from card_service.auth.principal import Principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.etags import check_if_match, etag_for
from card_service.orgunits import admin, service
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.orgunits.schemas import UnitCreate, UnitOut, UnitUpdate
from card_service.pagination import Page, Paging
from card_service.problems import Problem

router = APIRouter(prefix="/units", tags=["units"])
Manager = Annotated[Principal, Depends(requires(*admin.MANAGE_ROLES))]
NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": Problem}}


def _out(unit: OrgUnit, response: Response) -> UnitOut:
    response.headers["ETag"] = etag_for("unit", unit.id, unit.version)
    return UnitOut.model_validate(unit)


@router.get("", response_model=Page[UnitOut])
def list_units(
    principal: CurrentPrincipal,
    session: DbSession,
    paging: Paging,
    kind: UnitKind | None = None,
    parent_id: uuid.UUID | None = None,
) -> Page[UnitOut]:
    items, total = service.list_units(session, principal, paging, kind=kind, parent_id=parent_id)
    return Page[UnitOut](
        items=[UnitOut.model_validate(u) for u in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post(
    "",
    response_model=UnitOut,
    status_code=201,
    responses={409: {"model": Problem}, 422: {"model": Problem}, **NOT_FOUND},
)
def create_unit(
    body: UnitCreate, principal: Manager, session: DbSession, now: Now, response: Response
) -> UnitOut:
    """A unit under ``parent_id``, which must be in your scope; the kinds that may sit
    under each kind are in docs/administration.md. Root units are made by the CLI."""
    unit = admin.add_unit(session, principal, body, now=now)
    response.headers["Location"] = f"/api/v1/units/{unit.id}"
    return _out(unit, response)


@router.get("/{unit_id}", response_model=UnitOut, responses=NOT_FOUND)
def get_unit(
    unit_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, response: Response
) -> UnitOut:
    return _out(admin.unit_in_scope(session, principal, unit_id, admin.ALL_ROLES), response)


@router.patch(
    "/{unit_id}",
    response_model=UnitOut,
    responses={
        409: {"model": Problem},
        412: {"model": Problem},
        428: {"model": Problem},
        **NOT_FOUND,
    },
)
def update_unit(
    unit_id: uuid.UUID,
    body: UnitUpdate,
    principal: Manager,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> UnitOut:
    """Rename a unit or change its code (send the ETag you read as If-Match)."""
    unit = admin.unit_in_scope(session, principal, unit_id, admin.MANAGE_ROLES, for_update=True)
    check_if_match(if_match, etag_for("unit", unit.id, unit.version))
    return _out(admin.update_unit(session, principal, unit, body, now=now), response)
