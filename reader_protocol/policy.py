"""The access decision on a compiled reader configuration, pure and shared.

The service evaluates online with it and every reader evaluates offline with it, so
both give the same answer for the same configuration and time. An empty rule set
denies; every denial carries a reason code.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reader_protocol.config import AccessRule, ReaderConfig, RuleMember, TimeWindow

GRANTED = "ok"
DENY_UNKNOWN_HOLDER = "holder_not_allowed_here"
DENY_NOT_YET_VALID = "holder_not_yet_valid"
DENY_EXPIRED = "holder_validity_ended"
DENY_OUTSIDE_HOURS = "outside_allowed_hours"
DENY_HOLIDAY = "closed_on_holiday"


@dataclass(frozen=True)
class PolicyDecision:
    granted: bool
    reason: str
    rule: str | None = None
    holder_name: str | None = None


def window_contains(window: TimeWindow, weekday: int, moment: time) -> bool:
    """``window`` covers local ``weekday`` at ``moment``; end <= start spans midnight."""
    if window.start < window.end:
        return weekday == window.weekday and window.start <= moment < window.end
    # Overnight: from start on its weekday until end on the next day.
    next_day = (window.weekday + 1) % 7
    return (weekday == window.weekday and moment >= window.start) or (
        weekday == next_day and moment < window.end
    )


class CompiledPolicy:
    """A configuration indexed for taps: holder -> (rule, membership), holidays as a set."""

    def __init__(self, config: ReaderConfig) -> None:
        self.config = config
        self._zone = ZoneInfo(config.timezone)
        self._names = {h.holder_id: h.display_name for h in config.holders}
        self._rules: dict[uuid.UUID, list[tuple[AccessRule, RuleMember]]] = defaultdict(list)
        for rule in config.rules:
            for member in rule.members:
                self._rules[member.holder_id].append((rule, member))
        self._holidays = frozenset(config.holidays)

    def holder_name(self, holder_id: uuid.UUID) -> str | None:
        return self._names.get(holder_id)

    def emergency_allowance(self, holder_id: uuid.UUID) -> timedelta | None:
        """How much older than the door's limit the revocation list may be for this
        holder (the signed emergency section); None when they have no such right."""
        emergency = self.config.emergency
        if emergency is None or holder_id not in emergency.holder_ids:
            return None
        return timedelta(seconds=emergency.extra_age_seconds)

    def evaluate(self, holder_id: uuid.UUID, at: datetime) -> PolicyDecision:
        local = at.astimezone(self._zone)
        name = self._names.get(holder_id)
        entries = self._rules.get(holder_id)
        if not entries:
            return PolicyDecision(False, DENY_UNKNOWN_HOLDER, holder_name=name)
        today = local.date()
        current = [(rule, m) for rule, m in entries if _member_on(m, today)]
        if not current:
            started = any(m.valid_from is None or m.valid_from <= today for _, m in entries)
            reason = DENY_EXPIRED if started else DENY_NOT_YET_VALID
            return PolicyDecision(False, reason, holder_name=name)
        reason = DENY_OUTSIDE_HOURS
        for rule, _member in current:
            for window in rule.windows:
                if not window_contains(window, local.weekday(), local.time()):
                    continue
                if rule.closed_on_holidays and _window_day(window, local) in self._holidays:
                    reason = DENY_HOLIDAY
                    continue
                return PolicyDecision(True, GRANTED, rule=rule.name, holder_name=name)
        return PolicyDecision(False, reason, holder_name=name)


def _member_on(member: RuleMember, day: date) -> bool:
    if member.valid_from is not None and day < member.valid_from:
        return False
    return member.valid_until is None or day <= member.valid_until


def _window_day(window: TimeWindow, local: datetime) -> date:
    """The day a window opened on: yesterday for the small hours of an overnight one."""
    if window.start >= window.end and local.weekday() != window.weekday:
        return local.date() - timedelta(days=1)
    return local.date()


def evaluate(config: ReaderConfig, holder_id: uuid.UUID, at: datetime) -> PolicyDecision:
    """One-off evaluation (build a CompiledPolicy once for many taps)."""
    return CompiledPolicy(config).evaluate(holder_id, at)
