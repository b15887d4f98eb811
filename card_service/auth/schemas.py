"""Request and response bodies of the auth endpoints."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from card_service.users.models import Role

# Role is re-exported for the admin console, which may not import models modules.
__all__ = [
    "GrantOut",
    "Me",
    "PasswordChange",
    "RefreshRequest",
    "Role",
    "SignInRequest",
    "TokenPair",
]


class SignInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    """The signed-in person's own password change."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    # Length beyond the minimum is checked by the service (weak_password, 422).
    new_password: str = Field(min_length=1, max_length=1024)
    refresh_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="the refresh token of this sign-in, which stays valid; every other "
        "sign-in of the account ends (without it, all of them do)",
    )


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=128)


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str


class GrantOut(BaseModel):
    role: Role
    unit_id: uuid.UUID


class Me(BaseModel):
    user_id: uuid.UUID
    username: str
    grants: list[GrantOut]
