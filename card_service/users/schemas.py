"""API shapes of user accounts, as administrators manage them.

Request bodies forbid unknown fields, so fields that change only through their own
endpoint (password hash, active, roles on PATCH, ids, versions) are refused with 422.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from card_service.users.models import Role
from card_service.users.passwords import MAX_PASSWORD_LENGTH

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$",
    ),
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
# Length beyond the minimum is checked by the service (weak_password, 422).
Password = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    unit_id: uuid.UUID


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    role: Role
    unit_id: uuid.UUID


class UserCreate(BaseModel):
    """A new account with an initial password the administrator hands over."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: DisplayName
    password: Password
    unit_id: uuid.UUID = Field(description="the unit whose administrators manage the account")
    roles: list[GrantIn] = Field(default_factory=list, max_length=50)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    unit_id: uuid.UUID | None = Field(
        default=None, description="move the account to another unit you manage"
    )

    @model_validator(mode="after")
    def _something(self) -> UserUpdate:
        if self.display_name is None and self.unit_id is None:
            raise ValueError("give a new display_name, a new unit_id, or both")
        return self


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    unit_id: uuid.UUID | None
    active: bool
    roles: list[GrantOut]
    created_at: datetime
    locked_until: datetime | None = Field(
        description="when a lock-out after failed sign-ins ends (None: not locked)"
    )


class UserQuery(BaseModel):
    q: str | None = None
    role: Role | None = None
    unit_id: uuid.UUID | None = None
    active: bool | None = None
