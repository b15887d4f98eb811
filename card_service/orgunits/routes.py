"""``/api/v1/units``: the organisation tree a caller can see."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from card_service.auth.dependencies import CurrentPrincipal
from card_service.db.session import DbSession
from card_service.orgunits import service
from card_service.orgunits.errors import UnitNotFoundError
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.orgunits.schemas import UnitOut
from card_service.pagination import Page, Paging
from card_service.problems import Problem

router = APIRouter(prefix="/units", tags=["units"])


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


@router.get("/{unit_id}", response_model=UnitOut, responses={404: {"model": Problem}})
def get_unit(unit_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> UnitOut:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_reach(unit.path, service.ALL_ROLES):
        raise UnitNotFoundError(f"no organisation unit {unit_id}")
    return UnitOut.model_validate(unit)
