"""Counts and durations of counter sessions, grouped as asked.

Durations are summarised by the median and the 90th percentile (nearest rank), in
seconds. Only ended sessions have a duration; open ones are left out. Hours and days
are local (Asia/Ho_Chi_Minh). Each group also counts its distinct citizens and repeat
visits from the keyed citizen references (which never leave this module), and can be
split by how the citizen was checked (``verification``) and by the legal basis.
"""

from __future__ import annotations

import enum
import math
import statistics
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.orgunits.models import OrgUnit
from card_service.service_usage.errors import InvalidRangeError
from card_service.service_usage.models import CounterSession, ServiceType

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_RANGE = timedelta(days=366)
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class Dimension(enum.StrEnum):
    CENTRE = "centre"
    COUNTER = "counter"
    SERVICE = "service"
    DAY = "day"
    HOUR = "hour"
    VERIFICATION = "verification"
    LEGAL_BASIS = "legal_basis"


class Verification(enum.StrEnum):
    CHIP_VERIFIED = "chip_verified"  # the counter's chip verdict accepted the document
    CHIP_REFUSED = "chip_refused"  # refused; served after a manual check
    NOT_READ = "not_read"  # no chip read (or a session from before chip reads)

    @classmethod
    def of(cls, accepted: bool | None) -> Verification:  # noqa: FBT001 - a column value
        if accepted is None:
            return cls.NOT_READ
        return cls.CHIP_VERIFIED if accepted else cls.CHIP_REFUSED


@dataclass(frozen=True)
class Visit:
    centre: str
    counter: str
    service: str
    started_at: datetime
    seconds: float
    citizen_ref: str | None = field(default=None, repr=False)
    verification: Verification = Verification.NOT_READ
    legal_basis: str | None = None


@dataclass(frozen=True)
class StatRow:
    key: dict[str, str]
    count: int
    median_seconds: float
    p90_seconds: float
    citizens: int = 0
    repeat_visits: int = 0


def nearest_rank(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def local_range(first: date, last: date) -> tuple[datetime, datetime]:
    if last < first or last - first > MAX_RANGE:
        raise InvalidRangeError("the range must run forwards and span at most a year")
    if first < EARLIEST or last > LATEST:
        raise InvalidRangeError(f"dates must lie between {EARLIEST} and {LATEST}")
    start = datetime.combine(first, time(0), tzinfo=LOCAL_TZ)
    return start, datetime.combine(last + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)


def visits(
    session: Session, centre_ids: Sequence[uuid.UUID], first: date, last: date
) -> list[Visit]:
    """Ended sessions of these centres that started between ``first`` and ``last``."""
    start, end = local_range(first, last)
    centre = OrgUnit.__table__.alias("centre")
    counter = OrgUnit.__table__.alias("counter")
    rows = session.execute(
        select(
            centre.c.code,
            counter.c.code,
            ServiceType.code,
            CounterSession.started_at,
            CounterSession.ended_at,
            CounterSession.citizen_ref,
            CounterSession.verdict_accepted,
            CounterSession.legal_basis,
        )
        .join(centre, centre.c.id == CounterSession.centre_unit_id)
        .join(counter, counter.c.id == CounterSession.counter_unit_id)
        .join(ServiceType, ServiceType.id == CounterSession.service_id)
        .where(
            CounterSession.centre_unit_id.in_(centre_ids),
            CounterSession.started_at >= start,
            CounterSession.started_at < end,
            CounterSession.ended_at.is_not(None),
        )
    )
    return [
        Visit(
            centre_code,
            counter_code,
            service_code,
            started,
            (ended - started).total_seconds(),
            citizen_ref=ref,
            verification=Verification.of(accepted),
            legal_basis=basis,
        )
        for centre_code, counter_code, service_code, started, ended, ref, accepted, basis in rows
    ]


def _key(visit: Visit, dimensions: Sequence[Dimension]) -> tuple[tuple[str, str], ...]:
    local = visit.started_at.astimezone(LOCAL_TZ)
    values = {
        Dimension.CENTRE: visit.centre,
        Dimension.COUNTER: visit.counter,
        Dimension.SERVICE: visit.service,
        Dimension.DAY: local.date().isoformat(),
        Dimension.HOUR: f"{local.hour:02d}",
        Dimension.VERIFICATION: visit.verification.value,
        Dimension.LEGAL_BASIS: visit.legal_basis or "unrecorded",
    }
    return tuple((dimension.value, values[dimension]) for dimension in dimensions)


def summarise(all_visits: Sequence[Visit], dimensions: Sequence[Dimension]) -> list[StatRow]:
    groups: dict[tuple[tuple[str, str], ...], list[Visit]] = defaultdict(list)
    for visit in all_visits:
        groups[_key(visit, dimensions)].append(visit)
    rows = []
    for key, members in sorted(groups.items()):
        durations = [visit.seconds for visit in members]
        refs = [visit.citizen_ref for visit in members if visit.citizen_ref is not None]
        rows.append(
            StatRow(
                key=dict(key),
                count=len(durations),
                median_seconds=float(statistics.median(durations)),
                p90_seconds=nearest_rank(durations, 0.9),
                citizens=len(set(refs)),
                repeat_visits=len(refs) - len(set(refs)),
            )
        )
    return rows
