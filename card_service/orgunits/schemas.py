"""API shapes of organisation units."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from card_service.orgunits.models import UnitKind

# Codes appear in imports, exports and the CLI: short, ASCII, no spaces.
UnitCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    parent_id: uuid.UUID | None
    kind: UnitKind
    code: str
    name: str


class RootUnitCreate(BaseModel):
    """The first unit of an installation (the CLI's ``--create-root-unit``)."""

    model_config = ConfigDict(extra="forbid")

    code: UnitCode
    name: UnitName


class UnitCreate(BaseModel):
    """A unit under an existing one. Roots are made by the CLI (docs/administration.md)."""

    model_config = ConfigDict(extra="forbid")

    parent_id: uuid.UUID
    kind: UnitKind
    code: UnitCode
    name: UnitName


class UnitUpdate(BaseModel):
    """Rename a unit or change its code. Its kind and place in the tree do not change."""

    model_config = ConfigDict(extra="forbid")

    name: UnitName | None = None
    code: UnitCode | None = None

    @model_validator(mode="after")
    def _something(self) -> UnitUpdate:
        if self.name is None and self.code is None:
            raise ValueError("give a new name, a new code, or both")
        return self
