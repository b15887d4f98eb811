"""API shapes of organisation units."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict

from card_service.orgunits.models import UnitKind


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    parent_id: uuid.UUID | None
    kind: UnitKind
    code: str
    name: str
