"""How the console reads tap events: a port, so tests can hand the pages a fake.

The real implementation, ``ServiceTapReads``, is the default of ``install(app)``; it
delegates to card_service.events.reads, which scopes every read to the viewer's units
(the shared live feed reads every unit once and filters per viewer with
``card_service.events.reads.visible_to``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from card_service.auth.principal import Principal
from card_service.events import reads
from card_service.events.reads import HourlyTaps, TapCursor, TapRecord


class TapEventReads(Protocol):
    def hourly(
        self, session: Session, principal: Principal, *, start: datetime, end: datetime
    ) -> Sequence[HourlyTaps]:
        """Granted and denied taps per hour in [start, end), within the principal's units."""
        ...

    def received_after(
        self, session: Session, principal: Principal, *, after: TapCursor | None, limit: int
    ) -> Sequence[TapRecord]:
        """Taps in the principal's units received after ``after``, oldest first; with
        None, the newest ``limit``."""
        ...

    def feed_after(
        self,
        session: Session,
        *,
        after: TapCursor | None,
        limit: int,
        received_before: datetime | None,
    ) -> Sequence[TapRecord]:
        """The same for every unit, for the one shared live feed of the process."""
        ...


class ServiceTapReads:
    """TapEventReads backed by the service's own read functions."""

    def hourly(
        self, session: Session, principal: Principal, *, start: datetime, end: datetime
    ) -> Sequence[HourlyTaps]:
        return reads.hourly_counts(session, principal, start=start, end=end)

    def received_after(
        self, session: Session, principal: Principal, *, after: TapCursor | None, limit: int
    ) -> Sequence[TapRecord]:
        return reads.received_after(session, principal, after=after, limit=limit)

    def feed_after(
        self,
        session: Session,
        *,
        after: TapCursor | None,
        limit: int,
        received_before: datetime | None,
    ) -> Sequence[TapRecord]:
        return reads.received_after_in_every_unit(
            session, after=after, limit=limit, received_before=received_before
        )


__all__ = ["HourlyTaps", "ServiceTapReads", "TapCursor", "TapEventReads", "TapRecord"]
