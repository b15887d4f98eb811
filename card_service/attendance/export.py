"""Exports of a unit's timesheet and of a person's days: CSV (UTF-8 with BOM, so Excel
shows Vietnamese) and XLSX, the same rows in both."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook

from card_service.attendance.compute import LOCAL_TZ
from card_service.attendance.detail import PersonDays
from card_service.attendance.timesheet import DayFigures, Timesheet, day_code

Cell = str | int
TOTAL_HEADERS = (
    "Số ngày công",
    "Số lần đi muộn",
    "Phút đi muộn",
    "Số lần về sớm",
    "Phút về sớm",
    "Thiếu chấm ra",
    "Vắng",
    "Nghỉ có đăng ký",
    "Ngày lễ",
    "Giờ làm (phút)",
    "Làm thêm (phút)",
)


def timesheet_table(sheet: Timesheet) -> list[list[Cell]]:
    """Header row, then one row per person: identity, one code per day, totals."""
    header: list[Cell] = ["Mã cán bộ", "Họ và tên", "Đơn vị"]
    header += [f"{day.day:02d}/{day.month:02d}" for day in sheet.days]
    header += TOTAL_HEADERS
    rows: list[list[Cell]] = [header]
    for row in sheet.rows:
        cells: list[Cell] = [row.staff_number, row.full_name, row.unit_name, *row.codes]
        cells += [
            row.days_present,
            row.late_count,
            row.late_minutes,
            row.early_count,
            row.early_minutes,
            row.missing_checkouts,
            row.absent_days,
            row.leave_days,
            row.holidays,
            row.worked_minutes,
            row.overtime_minutes,
        ]
        rows.append(cells)
    return rows


WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
PERSON_HEADERS = (
    "Mã cán bộ",
    "Họ và tên",
    "Ngày",
    "Thứ",
    "Loại ngày",
    "Ký hiệu",
    "Trạng thái",
    "Giờ vào",
    "Giờ ra",
    "Giờ làm (phút)",
    "Đi muộn (phút)",
    "Về sớm (phút)",
    "Làm thêm (phút)",
    "Thiếu chấm ra",
    "Thiếu chấm vào",
    "Số lần chấm",
    "Loại nghỉ",
    "Ngày lễ",
    "Đã điều chỉnh",
    "Trạng thái gốc",
    "Giờ vào gốc",
    "Giờ ra gốc",
)


def person_table(person: PersonDays) -> list[list[Cell]]:
    """Header row, then one row per day of ``person_days`` (the rows of the JSON
    detail): times in Huế, the timesheet code, and what a correction replaced."""
    holder = person.holder
    rows: list[list[Cell]] = [list(PERSON_HEADERS)]
    for day in person.days:
        figures = DayFigures(
            day.status.value,
            day.kind.value,
            day.leave_type.value if day.leave_type else None,
            day.worked_minutes,
            day.late_minutes,
            day.early_leave_minutes,
            day.overtime_minutes,
            day.missing_checkout,
        )
        rows.append(
            [
                holder.staff_number or "",
                holder.full_name,
                day.day.strftime("%d/%m/%Y"),
                WEEKDAYS[day.day.weekday()],
                day.kind.value,
                day_code(figures),
                day.status.value,
                _local_time(day.first_in),
                _local_time(day.last_out),
                day.worked_minutes,
                day.late_minutes,
                day.early_leave_minutes,
                day.overtime_minutes,
                _mark(day.missing_checkout),
                _mark(day.missing_checkin),
                day.tap_count,
                day.leave_type.value if day.leave_type else "",
                day.holiday_name or "",
                _mark(day.correction_id is not None),
                day.original_status.value if day.original_status else "",
                _local_time(day.original_first_in),
                _local_time(day.original_last_out),
            ]
        )
    return rows


def _local_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(LOCAL_TZ).strftime("%H:%M")


def _mark(flag: bool, /) -> str:  # noqa: FBT001 - a cell value, not an option
    return "x" if flag else ""


def to_csv(table: Sequence[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(table)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Sequence[Sequence[Cell]], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])  # Excel's limit on sheet names
    for row in table:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_name(sheet: Timesheet, extension: str) -> str:
    return f"bang-cham-cong-{sheet.year:04d}-{sheet.month:02d}.{extension}"


def person_export_name(person: PersonDays, year: int, month: int, extension: str) -> str:
    who = person.holder.staff_number or str(person.holder.id)
    # Only characters that need no quoting in a Content-Disposition filename.
    safe = re.sub(r"[^A-Za-z0-9_.-]", "-", who)
    return f"cham-cong-{safe}-{year:04d}-{month:02d}.{extension}"
