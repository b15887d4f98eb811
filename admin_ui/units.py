"""The organisation units a person can see, for pickers and names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from admin_ui.permissions import Roles
from card_service.auth.principal import Principal
from card_service.orgunits.schemas import UnitOut
from card_service.orgunits.service import list_units


@dataclass(frozen=True)
class UnitChoice:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    depth: int

    @property
    def label(self) -> str:
        return f"{'— ' * self.depth}{self.name} ({self.code})"


def visible_units(session: Session, principal: Principal) -> list[UnitOut]:
    """Every unit in any of the person's scopes, in tree order."""
    found, _ = list_units(session, principal)
    return [UnitOut.model_validate(unit) for unit in found]


def choices(session: Session, principal: Principal, roles: Roles) -> list[UnitChoice]:
    """Units where ``principal`` holds one of ``roles`` (granted units and everything
    below them), in tree order, indented by depth."""
    units = visible_units(session, principal)
    by_id = {unit.id: unit for unit in units}
    granted = {grant.unit_id for grant in principal.grants if grant.role in roles}

    def chain(unit: UnitOut) -> list[uuid.UUID]:
        ids = [unit.id]
        while unit.parent_id is not None and unit.parent_id in by_id:
            unit = by_id[unit.parent_id]
            ids.append(unit.id)
        return ids

    result = []
    for unit in units:  # list_units orders by path: tree order
        ancestors = chain(unit)
        if granted.intersection(ancestors):
            result.append(
                UnitChoice(unit.id, unit.code, unit.name, unit.kind.value, len(ancestors) - 1)
            )
    return result


def names(session: Session, principal: Principal) -> dict[uuid.UUID, str]:
    return {unit.id: unit.name for unit in visible_units(session, principal)}
