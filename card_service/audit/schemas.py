"""API shapes of the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_serializer


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: uuid.UUID | None
    data: dict[str, Any]
    prev_hash: bytes
    entry_hash: bytes

    @field_serializer("prev_hash", "entry_hash")
    def _hex(self, value: bytes) -> str:
        return value.hex()


class ChainBreak(BaseModel):
    seq: int
    kind: str
    detail: str


class ChainStatus(BaseModel):
    intact: bool
    entries: int
    head_seq: int
    checkpoints_verified: int
    broken: ChainBreak | None = None
