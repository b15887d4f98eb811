"""Timesheet exports: CSV (UTF-8 with BOM, so Excel shows Vietnamese) and XLSX, same rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from card_service.attendance.timesheet import Timesheet

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
