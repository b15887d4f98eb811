"""The shared access decision, with local times in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from reader_protocol.config import (
    AccessRule,
    HolderInfo,
    ReaderConfig,
    RuleMember,
    TimeWindow,
)
from reader_protocol.enrolment import ReaderMode
from reader_protocol.policy import CompiledPolicy, window_contains

AN = uuid.UUID(int=1)
BINH = uuid.UUID(int=2)
GUARD = uuid.UUID(int=3)
NEWCOMER = uuid.UUID(int=4)
OFFICE_HOURS = [TimeWindow(weekday=d, start=time(7, 0), end=time(18, 0)) for d in range(5)]
NIGHTS = [TimeWindow(weekday=d, start=time(22, 0), end=time(6, 0)) for d in range(7)]


def _config(**changes) -> ReaderConfig:
    fields = {
        "version": 1,
        "reader_id": uuid.uuid4(),
        "mode": ReaderMode.DOOR,
        "site_unit_id": uuid.uuid4(),
        "location": "Cổng chính",
        "issued_at": datetime(2026, 11, 1, tzinfo=UTC),
        "max_crl_age_seconds": 86400,
        "debounce_seconds": 5,
        "door_release_ms": 3000,
        "rules": [
            AccessRule(
                name="Giờ hành chính",
                members=[
                    RuleMember(holder_id=AN),
                    RuleMember(holder_id=BINH, valid_until=date(2026, 11, 30)),
                    RuleMember(holder_id=NEWCOMER, valid_from=date(2026, 12, 1)),
                ],
                windows=OFFICE_HOURS,
            ),
            AccessRule(
                name="Ca đêm",
                members=[RuleMember(holder_id=GUARD)],
                windows=NIGHTS,
                closed_on_holidays=False,
            ),
        ],
        "holders": [
            HolderInfo(holder_id=AN, display_name="Nguyễn Văn An"),
            HolderInfo(holder_id=BINH, display_name="Trần Thị Bình"),
            HolderInfo(holder_id=GUARD, display_name="Lê Bảo Vệ"),
            HolderInfo(holder_id=NEWCOMER, display_name="Phạm Mới"),
        ],
        "holidays": [date(2026, 9, 2)],
    }
    fields.update(changes)
    return ReaderConfig(**fields)


def _local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """Huế local time (UTC+7) as an aware UTC datetime."""
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize(
    ("holder", "when", "granted", "reason"),
    [
        (AN, _local(2026, 11, 24, 8, 0), True, "ok"),  # a Tuesday morning
        (AN, _local(2026, 11, 24, 18, 0), False, "outside_allowed_hours"),  # end exclusive
        (AN, _local(2026, 11, 28, 9, 0), False, "outside_allowed_hours"),  # Saturday
        (AN, _local(2026, 9, 2, 9, 0), False, "closed_on_holiday"),  # National Day
        (BINH, _local(2026, 12, 1, 9, 0), False, "holder_validity_ended"),
        (BINH, _local(2026, 11, 30, 9, 0), True, "ok"),  # the last day is included
        (NEWCOMER, _local(2026, 11, 30, 9, 0), False, "holder_not_yet_valid"),
        (NEWCOMER, _local(2026, 12, 1, 9, 0), True, "ok"),
        (GUARD, _local(2026, 11, 24, 23, 30), True, "ok"),
        (GUARD, _local(2026, 11, 25, 5, 59), True, "ok"),  # overnight, next morning
        (GUARD, _local(2026, 11, 25, 6, 0), False, "outside_allowed_hours"),
        (GUARD, _local(2026, 9, 2, 23, 0), True, "ok"),  # night rule ignores holidays
        (uuid.UUID(int=99), _local(2026, 11, 24, 8, 0), False, "holder_not_allowed_here"),
    ],
)
def test_decisions(holder, when, granted, reason) -> None:
    decision = CompiledPolicy(_config()).evaluate(holder, when)
    assert (decision.granted, decision.reason) == (granted, reason)


def test_a_utc_evening_is_the_next_local_morning() -> None:
    # 01:30 UTC on Tuesday is 08:30 in Huế: inside office hours.
    decision = CompiledPolicy(_config()).evaluate(AN, datetime(2026, 11, 24, 1, 30, tzinfo=UTC))
    assert decision.granted


def test_an_empty_rule_set_denies_everyone() -> None:
    decision = CompiledPolicy(_config(rules=[])).evaluate(AN, _local(2026, 11, 24, 8, 0))
    assert (decision.granted, decision.reason) == (False, "holder_not_allowed_here")


def test_overnight_window_boundaries() -> None:
    window = TimeWindow(weekday=6, start=time(22, 0), end=time(6, 0))  # Sunday night
    assert window_contains(window, 6, time(22, 0))
    assert window_contains(window, 0, time(5, 59))  # Monday morning
    assert not window_contains(window, 0, time(22, 30))
