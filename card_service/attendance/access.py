"""Who may see and change whose attendance: roles scoped to units (out of scope looks
like not found, as elsewhere in the API)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from card_service.auth.principal import Principal
from card_service.holders.models import Holder
from card_service.holders.service import get_holder
from card_service.orgunits.errors import UnitNotFoundError
from card_service.orgunits.models import OrgUnit
from card_service.users.models import Role

READ_ROLES = (Role.ADMIN, Role.HR, Role.AUDITOR)
WRITE_ROLES = (Role.ADMIN, Role.HR)
CALENDAR_ROLES = (Role.ADMIN,)


def unit_in_scope(
    session: Session, principal: Principal, unit_id: uuid.UUID, roles: Sequence[Role]
) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_reach(unit.path, roles):
        raise UnitNotFoundError(f"no organisation unit {unit_id}")
    return unit


def holder_in_scope(
    session: Session, principal: Principal, holder_id: uuid.UUID, roles: Sequence[Role]
) -> Holder:
    return get_holder(session, principal, holder_id, roles=roles)
