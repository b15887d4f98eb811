"""A person's month as CSV (UTF-8 with BOM) and XLSX: the rows of the JSON detail, the
same in both files, corrections and what they replaced included."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from card_service.attendance.corrections import request_correction
from card_service.attendance.detail import person_days
from card_service.attendance.export import PERSON_HEADERS, person_table, to_csv, to_xlsx
from card_service.events.service import ingest_batch
from tests.card_service.attendance.conftest import vn
from tests.card_service.events.factories import batch, make_holder, make_reader, tap

MARCH = {"year": 2026, "month": 3}
APRIL_FIRST = vn(2026, 4, 1, 9)


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _read_xlsx(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def test_a_persons_month_reads_back_the_same_from_csv_and_xlsx(office, session) -> None:
    holder = office.staff[0]
    office.tap(vn(2026, 3, 2, 7, 50), vn(2026, 3, 2, 17, 5))  # Monday: 20 minutes late
    office.tap(vn(2026, 3, 3, 7, 20))  # Tuesday: no check-out...
    request_correction(  # ...which HR corrects
        session,
        holder=holder,
        day=date(2026, 3, 3),
        first_in=None,
        last_out=vn(2026, 3, 3, 17, 0),
        reason="quên chấm ra",
        actor="user:hr",
        now=vn(2026, 3, 4, 8),
    )
    table = person_table(
        person_days(session, holder, date(2026, 3, 1), date(2026, 3, 31), now=APRIL_FIRST)
    )

    from_csv = _read_csv(to_csv(table))
    assert from_csv == _read_xlsx(to_xlsx(table, title="03-2026"))
    assert from_csv[0] == list(PERSON_HEADERS)
    assert len(from_csv) == 1 + 31
    rows = [dict(zip(PERSON_HEADERS, row, strict=True)) for row in from_csv[1:]]
    sunday, monday, tuesday = rows[0], rows[1], rows[2]
    assert (sunday["Ngày"], sunday["Thứ"], sunday["Ký hiệu"]) == ("01/03/2026", "Chủ nhật", "")
    assert (monday["Mã cán bộ"], monday["Họ và tên"]) == ("NV001", "Nguyễn Văn An")
    assert (monday["Ký hiệu"], monday["Giờ vào"], monday["Giờ ra"]) == ("X", "07:50", "17:05")
    assert (monday["Đi muộn (phút)"], monday["Đã điều chỉnh"]) == ("20", "")
    assert (tuesday["Trạng thái"], tuesday["Giờ ra"], tuesday["Đã điều chỉnh"]) == (
        "present",
        "17:00",
        "x",
    )
    assert (tuesday["Trạng thái gốc"], tuesday["Giờ vào gốc"], tuesday["Giờ ra gốc"]) == (
        "incomplete",
        "07:20",
        "",
    )
    assert rows[3]["Ký hiệu"] == "V"  # Wednesday: absent


def test_the_api_serves_the_same_rows_as_the_json_detail(
    client, org, session, as_user, clock
) -> None:
    clock.now = APRIL_FIRST
    unit = org.units["snv_vp"]
    holder = make_holder(session, unit, "Phạm Thị Thu", "NV300")
    reader = make_reader(session, unit)
    moments = [vn(2026, 3, 2, 7, 45), vn(2026, 3, 2, 17, 0)]
    events = [tap(moment, holder=holder) for moment in moments]
    ingest_batch(session, reader, batch(events, sent_at=moments[-1]), now=moments[-1])
    session.commit()
    base = f"/api/v1/attendance/holders/{holder.id}/days"

    detail = client.get(base, params=MARCH, headers=as_user("hr"))
    as_csv = client.get(base + ".csv", params=MARCH, headers=as_user("hr"))
    as_xlsx = client.get(base + ".xlsx", params=MARCH, headers=as_user("hr"))

    assert detail.status_code == as_csv.status_code == as_xlsx.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="cham-cong-NV300-2026-03.csv"' in as_csv.headers["content-disposition"]
    assert 'filename="cham-cong-NV300-2026-03.xlsx"' in as_xlsx.headers["content-disposition"]
    rows = _read_csv(as_csv.content)
    assert rows == _read_xlsx(as_xlsx.content)
    days = detail.json()["days"]
    assert [row[2] for row in rows[1:]] == [
        date.fromisoformat(day["day"]).strftime("%d/%m/%Y") for day in days
    ]
    assert [row[6] for row in rows[1:]] == [day["status"] for day in days]
    assert rows[2][7:11] == ["07:45", "17:00", str(days[1]["worked_minutes"]), "15"]


def test_the_files_are_kept_from_other_units(client, org, session, as_user) -> None:
    holder = make_holder(session, org.units["snv_vp"], "Võ Văn Tám", "NV301")
    session.commit()
    base = f"/api/v1/attendance/holders/{holder.id}/days"
    for suffix in (".csv", ".xlsx"):
        assert client.get(base + suffix, params=MARCH).status_code == 401
        other = client.get(base + suffix, params=MARCH, headers=as_user("hr_other"))
        assert other.status_code == 404
        assert (
            client.get(base + suffix, params=MARCH, headers=as_user("counter")).status_code == 403
        )
