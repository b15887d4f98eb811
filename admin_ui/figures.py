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
class CrlFacts:
    """What the service knows of the revocation lists readers hold."""

    newest: Mapping[str, int]  # the newest list number of each issuer
    signed_at: Mapping[tuple[str, int], datetime]  # (issuer, number) -> thisUpdate
    max_age: timedelta  # a reader whose list is older refuses every card (fails closed)


def held_lists(reader: ReaderFacts) -> list[tuple[str, int]]:
    """The (issuer, number) lists a reader said in its last heartbeat it holds."""
    held = reader.crl_numbers or {}
    return [(issuer, number) for issuer, number in held.items() if isinstance(number, int)]


@dataclass(frozen=True)
class ReaderHealth:
    online: bool
    crl_behind: int  # how many list numbers behind the newest, summed over issuers
    heartbeat_age: timedelta | None
    crl_age: timedelta | None  # since the oldest list it holds was signed; None: unknown
    crl_too_old: bool  # older than the readers' limit: the reader is refusing every card

    @property
    def stale_crl(self) -> bool:
        return self.crl_behind > 0 or self.crl_too_old


def reader_health(reader: ReaderFacts, crl: CrlFacts, now: datetime) -> ReaderHealth:
    beat = reader.last_heartbeat_at
    age = now - beat if beat is not None else None
    online = str(getattr(reader.state, "value", reader.state)) == "active" and (
        age is not None and age <= ONLINE_WITHIN
    )
    held = dict(held_lists(reader))
    behind = 0
    for issuer, newest in crl.newest.items():
        have = held.get(issuer)
        behind += newest - have if have is not None else newest
    signed = [crl.signed_at[pair] for pair in held.items() if pair in crl.signed_at]
    crl_age = now - min(signed) if signed else None
    return ReaderHealth(
        online=online,
        crl_behind=max(behind, 0),
        heartbeat_age=age,
        crl_age=crl_age,
        crl_too_old=crl_age is not None and crl_age > crl.max_age,
    )
