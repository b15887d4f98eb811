"""API shapes of cards and their transitions."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_serializer

from card_service.cards.lifecycle import Action
from card_service.cards.models import CardState, CardTechnology, TransitionReason

# The enums are re-exported for the admin console, which may not import models modules.
__all__ = [
    "CardOut",
    "CardRequest",
    "CardState",
    "CardTechnology",
    "Comment",
    "ReasonedChange",
    "ReplaceReason",
    "ReplaceRequest",
    "ReplacementOut",
    "RevokeReason",
    "RevokeRequest",
    "TransitionOut",
    "TransitionReason",
]

Comment = Annotated[str, StringConstraints(min_length=3, max_length=500, strip_whitespace=True)]


class CardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holder_id: uuid.UUID
    technology: CardTechnology = CardTechnology.PIV
    comment: Comment | None = None


class RevokeReason(enum.StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    DAMAGED = "damaged"
    HOLDER_LEFT = "holder_left"
    ADMINISTRATIVE = "administrative"


class ReplaceReason(enum.StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    DAMAGED = "damaged"


class ReasonedChange(BaseModel):
    """Suspend or resume: the reason is free text, required for the record."""

    model_config = ConfigDict(extra="forbid")

    comment: Comment


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: RevokeReason
    comment: Comment


class ReplaceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ReplaceReason
    comment: Comment


class CardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    serial: str
    holder_id: uuid.UUID
    technology: CardTechnology
    state: CardState
    valid_from: datetime | None
    valid_until: datetime | None
    issuer_key_id: str | None
    certificate_serial: str | None
    certificate_fingerprint: bytes | None = Field(description="SHA-256, hex")
    replaced_by_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[Action] = []

    @field_serializer("certificate_fingerprint")
    def _hex(self, value: bytes | None) -> str | None:
        return value.hex() if value is not None else None


class TransitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_state: CardState | None
    to_state: CardState
    reason: TransitionReason
    comment: str | None
    actor: str
    occurred_at: datetime


class ReplacementOut(BaseModel):
    revoked: CardOut
    replacement: CardOut
