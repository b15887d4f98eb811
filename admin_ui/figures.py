"""Pure calculations behind the dashboard: reader health and denied-tap spikes."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from admin_ui.ports import HourlyTaps

ONLINE_WITHIN = timedelta(minutes=5)  # readers beat every minute; a few missed is offline
SPIKE_MINIMUM = 5  # fewer denials than this in an hour are never a spike
SPIKE_FACTOR = 3  # ... and a spike is this many times the day's typical hour


class ReaderFacts(Protocol):
    @property
    def state(self) -> Any: ...
    @property
    def last_heartbeat_at(self) -> datetime | None: ...
    @property
    def crl_numbers(self) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class ReaderHealth:
    online: bool
    crl_behind: int  # how many list numbers behind the newest, summed over issuers
    heartbeat_age: timedelta | None

    @property
    def stale_crl(self) -> bool:
        return self.crl_behind > 0


def reader_health(reader: ReaderFacts, current: Mapping[str, int], now: datetime) -> ReaderHealth:
    beat = reader.last_heartbeat_at
    age = now - beat if beat is not None else None
    online = str(getattr(reader.state, "value", reader.state)) == "active" and (
        age is not None and age <= ONLINE_WITHIN
    )
    held = reader.crl_numbers or {}
    behind = 0
    for issuer, newest in current.items():
        have = held.get(issuer)
        behind += newest - int(have) if isinstance(have, int) else newest
    return ReaderHealth(online=online, crl_behind=max(behind, 0), heartbeat_age=age)


def denied_spikes(hours: Sequence[HourlyTaps]) -> list[HourlyTaps]:
    """Hours whose denials stand out: at least SPIKE_MINIMUM, and SPIKE_FACTOR times the
    median hour of the period (a door refusing everyone after a bad update shows here)."""
    if not hours:
        return []
    typical = statistics.median(hour.denied for hour in hours)
    threshold = max(SPIKE_MINIMUM, SPIKE_FACTOR * typical)
    return [hour for hour in hours if hour.denied >= threshold]
