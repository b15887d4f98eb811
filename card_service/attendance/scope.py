"""Which holders an attendance question is about."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from card_service.holders.models import Holder, HolderKind
from card_service.orgunits.models import OrgUnit


def staff_in_unit(unit: OrgUnit) -> Select[Any]:
    """Ids of the active staff of ``unit`` and every unit below it."""
    return (
        select(Holder.id)
        .join(OrgUnit, OrgUnit.id == Holder.unit_id)
        .where(
            OrgUnit.path.startswith(unit.path, autoescape=True),
            Holder.kind == HolderKind.STAFF,
            Holder.active.is_(True),
        )
    )


def all_staff() -> Select[Any]:
    """Ids of every active staff member, whatever their unit."""
    return select(Holder.id).where(Holder.kind == HolderKind.STAFF, Holder.active.is_(True))
