"""What the person at the reader sees: their name, the local time and the answer.

Vietnamese first (the platform's users read it), times in Asia/Ho_Chi_Minh. The
console version writes one line per tap; a screen or LED/buzzer driver implements
the same ``show``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TextIO
from zoneinfo import ZoneInfo

from reader_protocol.events import Decision

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
GRANTED_TEXT = "Được phép vào"
DENIED_TEXT = "Từ chối"
UNKNOWN_HOLDER_TEXT = "Không rõ chủ thẻ"
REPEAT_TEXT = "đã ghi nhận lần chạm trước"

# Reason codes of denied taps, in the words shown to the card holder.
DENIAL_REASONS_VI: dict[str, str] = {
    "card_revoked": "thẻ đã bị thu hồi",
    "card_suspended": "thẻ đang bị tạm khóa",
    "card_expired": "thẻ đã hết hạn",
    "card_not_yet_valid": "thẻ chưa có hiệu lực",
    "card_unknown": "thẻ không được nhận dạng",
    "card_unreadable": "không đọc được thẻ, vui lòng chạm lại",
    "certificate_invalid": "chứng thư của thẻ không hợp lệ",
    "signature_invalid": "thẻ không vượt qua kiểm tra xác thực",
    "issuer_unknown": "thẻ do đơn vị không được tin cậy cấp",
    "not_permitted": "không có quyền vào cửa này",
    "outside_schedule": "ngoài khung giờ được phép",
    # reader_protocol.policy
    "holder_not_allowed_here": "không có quyền vào cửa này",
    "holder_not_yet_valid": "quyền vào chưa có hiệu lực",
    "holder_validity_ended": "quyền vào đã hết hạn",
    "outside_allowed_hours": "ngoài khung giờ được phép",
    "closed_on_holiday": "hôm nay là ngày nghỉ lễ",
    "pin_required": "cần nhập mã PIN",
    "pin_incorrect": "mã PIN không đúng",
    "pin_blocked": "mã PIN đã bị khóa",
    "revocation_list_stale": "danh sách thu hồi đã quá hạn, đầu đọc tạm ngừng",
    "reader_error": "lỗi đầu đọc",
    # reader_agent.decision
    "issuer_distrusted": "thẻ do khóa cấp phát không còn được tin cậy cấp",
    "revocation_list_missing": "đầu đọc chưa có danh sách thu hồi, tạm ngừng",
    "challenge_expired": "thẻ trả lời quá chậm, vui lòng chạm lại",
    "reader_not_configured": "đầu đọc chưa được cấu hình",
}


@dataclass(frozen=True)
class TapOutcome:
    """The decision as shown: ``at`` is aware; ``reason`` is the event's short code."""

    decision: Decision
    reason: str
    at: datetime
    holder_name: str | None = None
    repeat: bool = False  # a repeat inside the debounce window: nothing new was recorded


class Feedback(Protocol):
    def show(self, outcome: TapOutcome) -> None: ...


GRANT_NOTES_VI = {
    "granted_emergency_stale_list": "chế độ khẩn cấp: danh sách thu hồi đã cũ",
}


def describe(outcome: TapOutcome, *, zone: ZoneInfo = LOCAL_ZONE) -> str:
    """One line: local time, holder, answer (and why, when refused)."""
    if outcome.at.tzinfo is None:
        raise ValueError("a tap's time must be aware")
    local = outcome.at.astimezone(zone).strftime("%H:%M:%S %d/%m/%Y")
    holder = outcome.holder_name or UNKNOWN_HOLDER_TEXT
    if outcome.decision == Decision.GRANTED:
        answer = GRANTED_TEXT
        if outcome.reason in GRANT_NOTES_VI:  # say so when a grant relied on an exception
            answer = f"{answer} ({GRANT_NOTES_VI[outcome.reason]})"
    else:
        reason = DENIAL_REASONS_VI.get(outcome.reason, f"mã lỗi {outcome.reason}")
        answer = f"{DENIED_TEXT}: {reason}"
    if outcome.repeat:
        answer = f"{answer} ({REPEAT_TEXT})"
    return f"{local} · {holder} · {answer}"


class ConsoleFeedback:
    """Writes each outcome as one line to a text stream (a terminal at the door)."""

    def __init__(self, stream: TextIO, *, zone: ZoneInfo = LOCAL_ZONE) -> None:
        self._stream = stream
        self._zone = zone

    def show(self, outcome: TapOutcome) -> None:
        self._stream.write(describe(outcome, zone=self._zone) + "\n")
        self._stream.flush()


class InMemoryFeedback:
    """Keeps what would have been shown, for tests."""

    def __init__(self) -> None:
        self.outcomes: list[TapOutcome] = []
        self.lines: list[str] = []

    def show(self, outcome: TapOutcome) -> None:
        self.outcomes.append(outcome)
        self.lines.append(describe(outcome))
