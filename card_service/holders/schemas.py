"""API shapes of holders (separate from the ORM model)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from card_service.holders.models import HolderKind

StaffNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,32}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .-]{6,20}$")]
Text = Annotated[str, StringConstraints(max_length=255, strip_whitespace=True)]


class HolderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: HolderKind = HolderKind.STAFF
    staff_number: StaffNumber | None = None
    full_name: Name
    unit_id: uuid.UUID
    position: Text | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    photo_ref: Text | None = None

    @model_validator(mode="after")
    def _staff_have_numbers(self) -> HolderCreate:
        if self.kind is HolderKind.STAFF and not self.staff_number:
            raise ValueError("staff holders need a staff_number")
        return self


class HolderUpdate(BaseModel):
    """Fields an update may change. State (active) and identity (kind, staff number)
    change only through their own endpoints; sending them is a 422."""

    model_config = ConfigDict(extra="forbid")

    full_name: Name | None = None
    unit_id: uuid.UUID | None = None
    position: Text | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    photo_ref: Text | None = None


class HolderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: HolderKind
    staff_number: str | None
    full_name: str
    unit_id: uuid.UUID
    position: str | None
    email: str | None
    phone: str | None
    photo_ref: str | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class HolderQuery(BaseModel):
    q: str | None = Field(default=None, max_length=100)
    staff_number: str | None = Field(default=None, max_length=32)
    unit_id: uuid.UUID | None = None
    active: bool | None = None
