"""What the console needs to read tap events, which card_service does not offer yet.

card_service.events only ingests; it has no read functions, and the console may not
query the service's tables itself. The dashboard's tap figures and the live taps page
therefore take an implementation of ``TapEventReads`` through ``install(app,
tap_events=...)``. Until card_service provides one, they say so instead of showing
numbers (docs/admin-ui.md names the functions wanted).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from card_service.auth.principal import Principal


@dataclass(frozen=True)
class TapView:
    """One tap as the operations views show it."""

    id: uuid.UUID
    occurred_at: datetime
    received_at: datetime
    reader_name: str
    site_path: str  # the reader's unit path, for scoping to the viewer's units
    holder_name: str | None
    card_serial: str | None
    kind: str
    decision: str  # reader_protocol.events.Decision value
    reason: str


@dataclass(frozen=True)
class HourlyTaps:
    hour: datetime  # start of the hour, UTC
    granted: int
    denied: int


class TapEventReads(Protocol):
    def received_after(
        self, session: Session, *, after: datetime | None, limit: int
    ) -> list[TapView]:
        """Events received after ``after`` (all units), oldest first. With None: the
        newest ``limit`` events. The caller filters by the viewer's units."""
        ...

    def hourly(
        self, session: Session, principal: Principal, *, start: datetime, end: datetime
    ) -> list[HourlyTaps]:
        """Granted and denied taps per hour in [start, end), within the principal's units."""
        ...
