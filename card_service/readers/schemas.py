"""API shapes of readers as administrators see them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from card_service.readers.models import ReaderState
from reader_protocol.enrolment import ReaderMode

Label = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]


class ReaderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Label
    site_unit_id: uuid.UUID
    location: Label
    mode: ReaderMode


class ReaderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    site_unit_id: uuid.UUID
    location: str
    mode: ReaderMode
    state: ReaderState
    last_heartbeat_at: datetime | None
    queue_depth: int | None
    clock_offset_ms: int | None
    crl_numbers: dict[str, Any] | None
    trust_bundle_sequence: int | None
    config_version: int | None
    failing_closed: bool | None
    agent_version: str | None
    created_at: datetime


class EnrolmentTicket(BaseModel):
    """Shown once to the administrator (and as a QR code in the console)."""

    reader: ReaderOut
    enrolment_token: str
    expires_at: datetime
