"""The symbols of a Vietnamese timesheet (bảng chấm công), one per day cell."""

from __future__ import annotations

from dataclasses import dataclass

from card_service.attendance.kinds import DayStatus, LeaveType

LEAVE_CODES = {
    LeaveType.ANNUAL: "P",  # nghỉ phép
    LeaveType.SICK: "Ô",  # ốm
    LeaveType.MATERNITY: "TS",  # thai sản
    LeaveType.BUSINESS_TRIP: "CT",  # công tác
    LeaveType.UNPAID: "KL",  # không lương
    LeaveType.OTHER: "R",  # việc riêng
}
# The names the Vietnamese legend gives each kind of leave.
LEAVE_NAMES = {
    LeaveType.ANNUAL: "Nghỉ phép năm",
    LeaveType.SICK: "Nghỉ ốm",
    LeaveType.MATERNITY: "Thai sản",
    LeaveType.BUSINESS_TRIP: "Công tác",
    LeaveType.UNPAID: "Nghỉ không lương",
    LeaveType.OTHER: "Nghỉ việc riêng có lương",
}
LEGEND = {
    "X": "Có mặt (đủ công)",
    "KR": "Thiếu chấm ra hoặc chấm vào",
    "V": "Vắng không lý do",
    "L": "Nghỉ lễ, Tết",
    "T": "Làm thêm ngày nghỉ",
    "": "Ngày nghỉ hằng tuần hoặc chưa đến",
    **{code: LEAVE_NAMES[leave] for leave, code in LEAVE_CODES.items()},
}


@dataclass(frozen=True)
class DayFigures:
    status: str
    kind: str
    leave_type: str | None
    worked: int
    late: int
    early: int
    overtime: int
    missing_checkout: bool


def day_code(figures: DayFigures) -> str:
    if figures.status == DayStatus.LEAVE and figures.leave_type is not None:
        return LEAVE_CODES[LeaveType(figures.leave_type)]
    if figures.status == DayStatus.PRESENT:
        return "X" if figures.kind in ("workday", "compensatory_workday") else "T"
    if figures.status == DayStatus.INCOMPLETE:
        return "KR"
    if figures.status == DayStatus.ABSENT:
        return "V"
    return "L" if figures.kind == "holiday" else ""
