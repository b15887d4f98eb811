from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from reader_agent.feedback import ConsoleFeedback, InMemoryFeedback, TapOutcome, describe
from reader_protocol import policy
from reader_protocol.events import Decision

# 01:02:03 UTC is 08:02:03 in Huế (UTC+7, no daylight saving).
AT = datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC)


def test_granted_shows_name_local_time_and_permission() -> None:
    line = describe(TapOutcome(Decision.GRANTED, "ok", AT, "Nguyễn Thị Hương"))
    assert line == "08:02:03 24/11/2026 · Nguyễn Thị Hương · Được phép vào"


def test_denied_says_why_in_vietnamese() -> None:
    line = describe(TapOutcome(Decision.DENIED, "card_revoked", AT, "Trần Văn Bình"))
    assert line == "08:02:03 24/11/2026 · Trần Văn Bình · Từ chối: thẻ đã bị thu hồi"


def test_an_unknown_card_and_an_unknown_reason_still_read_well() -> None:
    line = describe(TapOutcome(Decision.DENIED, "new_rule_x", AT))
    assert line == "08:02:03 24/11/2026 · Không rõ chủ thẻ · Từ chối: mã lỗi new_rule_x"


def test_a_naive_time_is_refused() -> None:
    naive = datetime(2026, 11, 24, 8, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"):
        describe(TapOutcome(Decision.GRANTED, "ok", naive))


def test_console_feedback_writes_one_line_per_tap() -> None:
    stream = io.StringIO()
    console = ConsoleFeedback(stream)
    console.show(TapOutcome(Decision.GRANTED, "ok", AT, "Lê Minh Đức"))
    console.show(TapOutcome(Decision.DENIED, "outside_schedule", AT, "Lê Minh Đức"))
    assert stream.getvalue().splitlines() == [
        "08:02:03 24/11/2026 · Lê Minh Đức · Được phép vào",
        "08:02:03 24/11/2026 · Lê Minh Đức · Từ chối: ngoài khung giờ được phép",
    ]


def test_in_memory_feedback_keeps_outcomes_and_lines() -> None:
    feedback = InMemoryFeedback()
    outcome = TapOutcome(Decision.DENIED, "pin_incorrect", AT, "Phạm Quỳnh Anh")
    feedback.show(outcome)
    assert feedback.outcomes == [outcome]
    assert feedback.lines[0].endswith("Từ chối: mã PIN không đúng")


def test_every_policy_denial_has_vietnamese_words() -> None:
    codes = [value for name, value in vars(policy).items() if name.startswith("DENY_")]
    assert codes
    for code in codes:
        line = describe(TapOutcome(Decision.DENIED, code, AT, "Võ Thị Lan"))
        assert "mã lỗi" not in line, code


def test_an_emergency_grant_says_what_it_relied_on() -> None:
    from datetime import UTC, datetime

    from reader_agent.feedback import TapOutcome, describe
    from reader_protocol.events import Decision

    line = describe(
        TapOutcome(
            decision=Decision.GRANTED,
            reason="granted_emergency_stale_list",
            at=datetime(2026, 11, 24, 1, 0, tzinfo=UTC),
            holder_name="Lê Bảo Vệ",
            repeat=False,
        )
    )
    note = "chế độ khẩn cấp: danh sách thu hồi đã cũ"
    assert line == f"08:00:00 24/11/2026 · Lê Bảo Vệ · Được phép vào ({note})"
