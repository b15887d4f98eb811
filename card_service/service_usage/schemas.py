"""API shapes of service usage."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from card_service.attendance.schemas import Name


class ServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: Name


class ServiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    active: bool


class SignInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_holder_id: uuid.UUID


class SignInOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    counter_unit_id: uuid.UUID
    staff_holder_id: uuid.UUID
    signed_in_at: datetime
    signed_out_at: datetime | None


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    counter_unit_id: uuid.UUID
    service_code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    citizen_ref: str | None = Field(
        default=None,
        description="HMAC-SHA-256 (hex) of the citizen's document number, computed at the "
        "counter with the centre's key; never the number itself",
    )


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    centre_unit_id: uuid.UUID
    counter_unit_id: uuid.UUID
    staff_holder_id: uuid.UUID
    service_id: uuid.UUID
    started_at: datetime
    ended_at: datetime | None


class StatRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: dict[str, str]
    count: int
    median_seconds: float
    p90_seconds: float
