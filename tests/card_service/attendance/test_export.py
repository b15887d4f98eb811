"""The timesheet export: CSV with BOM and an XLSX that reads back to the same rows."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from card_service.attendance.export import timesheet_table, to_csv, to_xlsx
from card_service.attendance.timesheet import monthly_timesheet
from tests.card_service.attendance.conftest import vn


def test_csv_and_xlsx_carry_the_same_rows(office, session) -> None:
    office.tap(vn(2026, 3, 2, 7, 50), vn(2026, 3, 2, 17, 5))
    office.tap(vn(2026, 3, 3, 7, 20), holder=office.staff[1])
    sheet = monthly_timesheet(session, office.unit, 2026, 3, now=vn(2026, 4, 1, 9))
    table = timesheet_table(sheet)

    data = to_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    from_csv = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(to_xlsx(table, title="03-2026")), read_only=True)
    from_xlsx = [
        ["" if cell is None else str(cell) for cell in row]
        for row in workbook.active.iter_rows(values_only=True)
    ]

    assert from_csv == from_xlsx
    assert from_csv[0][:4] == ["Mã cán bộ", "Họ và tên", "Đơn vị", "01/03"]
    assert from_csv[1][:3] == ["NV001", "Nguyễn Văn An", "Sở Nội vụ"]
    assert from_csv[1][3:8] == ["", "X", "V", "V", "V"]  # Sunday 1st, Monday 2nd ...
    assert from_csv[2][3:6] == ["", "V", "KR"]
    totals = dict(zip(from_csv[0][34:], from_csv[1][34:], strict=True))
    assert totals["Số ngày công"] == "1"
    assert totals["Phút đi muộn"] == "20"
    assert totals["Vắng"] == "21"
    assert totals["Giờ làm (phút)"] == "430"
