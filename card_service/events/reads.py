"""Reading tap events for the operations views: hourly counts, denied-tap spikes, and
the events received after a cursor (live taps).

Events are scoped through the reader that recorded them: a person sees the taps of
readers whose site unit lies within their units (like the readers themselves). The
holder of a tap is shown whatever unit they belong to: at the door, the door's unit is
what matters.

The live view pages by a keyset cursor, (received_at, id), not by time alone: a whole
upload shares one ``received_at``, and a time cursor with a row limit would skip or
repeat the rest of a large batch.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, ColumnElement, and_, cast, extract, func, or_, select, true
from sqlalchemy.orm import Session

from card_service.auth.principal import Principal
from card_service.cards.models import Card
from card_service.events.errors import InvalidPeriodError
from card_service.events.models import TapEvent
from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit
from card_service.readers.models import Reader
from card_service.users.models import Role
from reader_protocol.events import Decision

READ_ROLES = (Role.ADMIN, Role.AUDITOR)
MAX_LIMIT = 500
MAX_PERIOD = timedelta(days=31)  # hourly counts: a month of hours at most
HOUR = timedelta(hours=1)
SPIKE_MINIMUM = 5  # fewer denials than this in an hour are never a spike
SPIKE_FACTOR = 3  # ... and a spike is this many times the period's typical hour
_CURSOR_SEPARATOR = "_"
_SECONDS_PER_HOUR = 3600


@dataclass(frozen=True, order=True)
class TapCursor:
    """A position in the order events were received: after ``(received_at, id)``."""

    received_at: datetime
    id: uuid.UUID

    @property
    def text(self) -> str:
        """The cursor as an opaque token (e.g. a server-sent event's id)."""
        return f"{self.received_at.astimezone(UTC).isoformat()}{_CURSOR_SEPARATOR}{self.id}"

    @classmethod
    def parse(cls, unverified_text: str) -> TapCursor | None:
        """The cursor a token names, or None when it is not one of ours."""
        stamp, _, event_id = unverified_text.partition(_CURSOR_SEPARATOR)
        try:
            moment, parsed_id = datetime.fromisoformat(stamp), uuid.UUID(event_id)
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        return cls(moment.astimezone(UTC), parsed_id)


@dataclass(frozen=True)
class TapRecord:
    """One tap as the operations views show it."""

    id: uuid.UUID
    occurred_at: datetime
    received_at: datetime
    reader_id: uuid.UUID
    reader_name: str
    site_path: str  # the reader's unit path: what scopes the tap
    holder_name: str | None
    card_serial: str | None
    kind: str
    decision: str  # reader_protocol.events.Decision value
    reason: str

    @property
    def cursor(self) -> TapCursor:
        return TapCursor(self.received_at, self.id)


@dataclass(frozen=True)
class HourlyTaps:
    hour: datetime  # start of the hour, UTC
    granted: int
    denied: int


def visible_to(principal: Principal, record: TapRecord, roles: Sequence[Role] = READ_ROLES) -> bool:
    """May ``principal`` see this tap? The rule the scoped queries apply, for records
    read once for many viewers (the console's shared live feed)."""
    return principal.can_reach(record.site_path, roles)


# ------------------------------------------------------------------ hourly counts


def _hour_number(session: Session) -> ColumnElement[int]:
    """Whole hours since 1970 of an event's occurred_at, computed by the database."""
    seconds = extract("epoch", TapEvent.occurred_at)
    if session.get_bind().dialect.name == "postgresql":
        # PostgreSQL's epoch is numeric, with the fraction of a second.
        return cast(func.floor(seconds / _SECONDS_PER_HOUR), BigInteger)
    # SQLite's strftime('%s') is a whole number, so integer division already floors.
    return seconds // _SECONDS_PER_HOUR


def _floor_hour(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def hourly_counts(
    session: Session,
    principal: Principal,
    *,
    start: datetime,
    end: datetime,
    roles: Sequence[Role] = READ_ROLES,
) -> list[HourlyTaps]:
    """Granted and denied taps per hour that occurred in [start, end), at readers in the
    principal's units; every hour of the period is listed, quiet ones as zeros."""
    if end <= start or end - start > MAX_PERIOD:
        raise InvalidPeriodError(f"the period must run forwards and span at most {MAX_PERIOD}")
    hour = _hour_number(session).label("hour")
    rows = session.execute(
        select(hour, TapEvent.decision, func.count())
        .join(Reader, Reader.id == TapEvent.reader_id)
        .join(OrgUnit, OrgUnit.id == Reader.site_unit_id)
        .where(
            principal.unit_filter(roles),
            TapEvent.occurred_at >= start,
            TapEvent.occurred_at < end,
        )
        .group_by(hour, TapEvent.decision)
    )
    counts: dict[tuple[int, str], int] = {
        (int(number), str(decision)): int(count) for number, decision, count in rows
    }
    result = []
    moment = _floor_hour(start)
    while moment < end:
        number = int(moment.timestamp()) // _SECONDS_PER_HOUR
        result.append(
            HourlyTaps(
                hour=moment,
                granted=counts.get((number, Decision.GRANTED.value), 0),
                denied=counts.get((number, Decision.DENIED.value), 0),
            )
        )
        moment += HOUR
    return result


def denied_spikes(
    hours: Sequence[HourlyTaps], *, minimum: int = SPIKE_MINIMUM, factor: float = SPIKE_FACTOR
) -> list[HourlyTaps]:
    """Hours whose denials stand out: at least ``minimum``, and ``factor`` times the
    median hour of the period. A door refusing everyone after a bad update shows here;
    a steady trickle of expired cards does not."""
    if not hours:
        return []
    typical = statistics.median(hour.denied for hour in hours)
    threshold = max(minimum, factor * typical)
    return [hour for hour in hours if hour.denied >= threshold]


# ------------------------------------------------------------------ received after


def _page(
    session: Session,
    scope: ColumnElement[bool],
    *,
    after: TapCursor | None,
    limit: int,
    received_before: datetime | None,
) -> list[TapRecord]:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidPeriodError(f"limit must be between 1 and {MAX_LIMIT}")
    query = (
        select(
            TapEvent.id,
            TapEvent.occurred_at,
            TapEvent.received_at,
            TapEvent.reader_id,
            Reader.name,
            OrgUnit.path,
            Holder.full_name,
            Card.serial,
            TapEvent.kind,
            TapEvent.decision,
            TapEvent.reason,
        )
        .join(Reader, Reader.id == TapEvent.reader_id)
        .join(OrgUnit, OrgUnit.id == Reader.site_unit_id)
        .outerjoin(Holder, Holder.id == TapEvent.holder_id)
        .outerjoin(Card, Card.id == TapEvent.card_id)
        .where(scope)
    )
    if received_before is not None:
        query = query.where(TapEvent.received_at < received_before)
    if after is None:
        # No position yet: the newest events, handed back oldest first like any page.
        newest = query.order_by(TapEvent.received_at.desc(), TapEvent.id.desc()).limit(limit)
        rows = list(session.execute(newest))[::-1]
    else:
        later = query.where(
            TapEvent.received_at >= after.received_at,  # lets the index bound the scan
            or_(
                TapEvent.received_at > after.received_at,
                and_(TapEvent.received_at == after.received_at, TapEvent.id > after.id),
            ),
        )
        rows = list(session.execute(later.order_by(TapEvent.received_at, TapEvent.id).limit(limit)))
    return [
        TapRecord(
            id=event_id,
            occurred_at=occurred_at,
            received_at=received_at,
            reader_id=reader_id,
            reader_name=reader_name,
            site_path=site_path,
            holder_name=holder_name,
            card_serial=card_serial,
            kind=str(kind),
            decision=str(decision),
            reason=reason,
        )
        for (
            event_id,
            occurred_at,
            received_at,
            reader_id,
            reader_name,
            site_path,
            holder_name,
            card_serial,
            kind,
            decision,
            reason,
        ) in rows
    ]


def received_after(
    session: Session,
    principal: Principal,
    *,
    after: TapCursor | None,
    limit: int,
    received_before: datetime | None = None,
    roles: Sequence[Role] = READ_ROLES,
) -> list[TapRecord]:
    """Up to ``limit`` taps at readers in the principal's units received after ``after``,
    oldest first (with None: the newest ``limit``). ``received_before`` leaves out the
    most recent moment, whose uploads may still be committing."""
    return _page(
        session,
        principal.unit_filter(roles),
        after=after,
        limit=limit,
        received_before=received_before,
    )


def received_after_in_every_unit(
    session: Session,
    *,
    after: TapCursor | None,
    limit: int,
    received_before: datetime | None = None,
) -> list[TapRecord]:
    """Like ``received_after``, for every unit at once: only for a feed read once and
    shown to many people, each of whom is filtered with ``visible_to``."""
    return _page(session, true(), after=after, limit=limit, received_before=received_before)
