"""Readers by name, for pages that show what a record calls ``reader:<id>``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.auth.principal import Principal
from card_service.orgunits.models import OrgUnit
from card_service.readers.models import Reader
from card_service.readers.service import READ_ROLES
from card_service.users.models import Role


def reader_names(
    session: Session,
    principal: Principal,
    reader_ids: Iterable[uuid.UUID],
    *,
    roles: tuple[Role, ...] = READ_ROLES,
) -> dict[uuid.UUID, str]:
    """The names of those readers the principal may see; the others are left out, so a
    reader outside the caller's units stays a bare id."""
    wanted = set(reader_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Reader.id, Reader.name)
        .join(OrgUnit, OrgUnit.id == Reader.site_unit_id)
        .where(Reader.id.in_(wanted), principal.unit_filter(roles))
    )
    return {reader_id: name for reader_id, name in rows}  # noqa: C416 - rows are Row objects
