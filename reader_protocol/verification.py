"""Online verification: the service checks a card the way a reader would, plus its
live state. A challenge comes from the service, so a replayed answer is useless."""

from __future__ import annotations

import enum
import uuid

from pydantic import AwareDatetime, BaseModel, Field

from reader_protocol.common import STRICT, Base64Bytes


class VerificationChallenge(BaseModel):
    model_config = STRICT

    challenge_id: uuid.UUID
    challenge: Base64Bytes = Field(description="32 bytes for GENERAL AUTHENTICATE, key 9E")
    expires_at: AwareDatetime


class VerificationRequest(BaseModel):
    model_config = STRICT

    challenge_id: uuid.UUID
    certificate: Base64Bytes = Field(description="The card-authentication certificate, DER")
    signature: Base64Bytes = Field(description="The card's signature over the challenge")


class Verdict(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"


class VerificationResult(BaseModel):
    model_config = STRICT

    verdict: Verdict
    reason: str = Field(description="'ok', or the stable code of the first failed check")
    card_id: uuid.UUID | None = None
    holder_id: uuid.UUID | None = None
    holder_name: str | None = None
    card_state: str | None = None
    card_serial: str | None = None
    valid_until: AwareDatetime | None = None
    crl_number: int | None = None
