"""API shapes of service usage."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from card_service.attendance.schemas import Name
from reader_protocol.counter import LegalBasis


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
        description="HMAC-SHA-256 (hex) of the citizen's document number under the "
        "service's citizen reference key; never the number itself. Counter readers send "
        "the number to /reader/counter/sessions instead and the service computes it",
    )
    legal_basis: LegalBasis | None = None
    consent_given_at: AwareDatetime | None = Field(
        default=None, description="When the citizen consented (legal_basis = consent)"
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
    # How the citizen was checked and why their data could be processed; never who.
    document_type: str | None = None
    verdict_accepted: bool | None = None
    manual_check: bool = False
    legal_basis: str | None = None
    consent_given_at: datetime | None = None


class StatRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: dict[str, str]
    count: int
    median_seconds: float
    p90_seconds: float
    citizens: int = Field(
        default=0, description="Distinct citizen references among the group's sessions"
    )
    repeat_visits: int = Field(
        default=0, description="Sessions with a reference seen before in the same group"
    )
