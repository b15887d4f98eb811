"""The reader's heartbeat and the service's answer."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from reader_protocol.common import STRICT

# Counters the service stores in 32-bit columns; a larger one is no real reader's.
MAX_COUNTER = 2**31 - 1


class Heartbeat(BaseModel):
    model_config = STRICT

    sent_at: AwareDatetime = Field(description="The reader's clock when sending")
    queue_depth: int = Field(
        ge=0, le=MAX_COUNTER, description="Events in the outbox not yet uploaded"
    )
    oldest_pending_at: AwareDatetime | None = None
    crl_numbers: dict[str, int] = Field(default_factory=dict, description="issuer key id -> number")
    trust_bundle_sequence: int = Field(default=0, ge=0, le=MAX_COUNTER)
    config_version: int = Field(default=0, ge=0, le=MAX_COUNTER)
    failing_closed: bool = Field(
        default=False, description="True when the door refuses everyone (stale trust material)"
    )
    agent_version: str = Field(default="", max_length=64)


class HeartbeatAck(BaseModel):
    """What is current, so the reader fetches only what changed."""

    server_time: AwareDatetime
    clock_offset_ms: int
    config_version: int
    trust_bundle_sequence: int
    crl_numbers: dict[str, int]
