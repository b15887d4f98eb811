"""Pure calculations behind the dashboard and the readers page: reader health.

(Denied-tap spikes are the service's own measure: card_service.events.reads.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

ONLINE_WITHIN = timedelta(minutes=5)  # readers beat every minute; a few missed is offline


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
