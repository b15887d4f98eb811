"""The work calendar: Vietnam's public holidays with local overrides on top.

The national calendar comes from the ``holidays`` package, which resolves the lunar
dates (Tết, Hùng Kings' day) per year and knows the official substitutions (a day off
given in exchange for a Saturday worked). Everything local is data in
``calendar_overrides`` (extra days off, compensatory working days, a cancelled day
off), edited through the API; an override always wins over the national calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import holidays

from card_service.attendance.kinds import OverrideKind


@dataclass(frozen=True)
class CalendarEntry:
    kind: OverrideKind
    name: str
    follows_weekday: int | None = None  # for a working rest day: whose hours apply


@dataclass(frozen=True)
class NationalYear:
    days_off: Mapping[date, str]
    working_weekends: frozenset[date]


@lru_cache(maxsize=64)
def national_year(year: int) -> NationalYear:
    """Vietnam's public holidays and official compensatory working days of ``year``."""
    calendar = holidays.country_holidays("VN", years=year, language="vi")
    days_off = {day: str(name) for day, name in calendar.items() if day.year == year}
    working = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return NationalYear(days_off=days_off, working_weekends=working)


@dataclass(frozen=True)
class WorkCalendar:
    """National calendar plus local overrides (already resolved for one unit)."""

    overrides: Mapping[date, CalendarEntry] = field(default_factory=dict)

    def entry(self, day: date) -> CalendarEntry | None:
        """What the calendar says about ``day``: None for an ordinary day."""
        if (override := self.overrides.get(day)) is not None:
            return override
        national = national_year(day.year)
        if (name := national.days_off.get(day)) is not None:
            return CalendarEntry(OverrideKind.HOLIDAY, name)
        if day in national.working_weekends:
            return CalendarEntry(OverrideKind.WORKDAY, "Ngày làm việc bù")
        return None


@dataclass(frozen=True)
class OverrideRow:
    """An override as stored, with the depth of its unit (None: province-wide)."""

    day: date
    depth: int | None
    entry: CalendarEntry


def resolve_overrides(rows: Iterable[OverrideRow]) -> dict[date, CalendarEntry]:
    """One entry per day: the override of the deepest unit wins over wider ones."""
    best: dict[date, tuple[int, CalendarEntry]] = {}
    for row in rows:
        depth = -1 if row.depth is None else row.depth
        if row.day not in best or depth > best[row.day][0]:
            best[row.day] = (depth, row.entry)
    return {day: entry for day, (_, entry) in best.items()}
