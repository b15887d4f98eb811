"""Notifications on the change feed (server-sent events, ``event: trust``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from reader_protocol.common import STRICT

CHANGE_FEED_EVENT = "trust"


class TrustState(BaseModel):
    """The newest trust material; a reader holding less fetches the difference."""

    model_config = STRICT

    trust_bundle_sequence: int
    crl_numbers: dict[str, int]
    config_version: int
    at: datetime
