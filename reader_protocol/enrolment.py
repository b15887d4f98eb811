"""Enrolling a reader with a one-time token an administrator created for it."""

from __future__ import annotations

import enum
import uuid

from pydantic import AwareDatetime, BaseModel, Field

from reader_protocol.common import STRICT, Base64Bytes


class ReaderMode(enum.StrEnum):
    DOOR = "door"
    ATTENDANCE = "attendance"
    COUNTER = "counter"
    ISSUANCE = "issuance"


class EnrolmentRequest(BaseModel):
    """The reader proves it holds the token and names the site and mode it was set up
    for; a token bound to another site or mode is refused."""

    model_config = STRICT

    token: str = Field(min_length=16, max_length=128)
    site_unit_id: uuid.UUID
    mode: ReaderMode
    public_key: Base64Bytes = Field(description="The reader's P-256 key, SubjectPublicKeyInfo DER")
    agent_version: str = Field(default="", max_length=64)


class EnrolmentResponse(BaseModel):
    model_config = STRICT

    reader_id: uuid.UUID
    name: str
    site_unit_id: uuid.UUID
    location: str
    mode: ReaderMode
    root_certificates: list[Base64Bytes] = Field(
        description="Trust anchors (DER) that sign the trust bundle"
    )
    config_keys: list[Base64Bytes] = Field(
        description="Public keys (SPKI DER) that sign this reader's configuration"
    )
    server_time: AwareDatetime
