"""HR's attendance work: a unit's timesheet, a correction with a reason (refused without
one, nothing saved), and an XLSX export produced by a job and read back."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from card_service.attendance.models import AttendanceCorrection
from card_service.holders.models import Holder
from tests.admin_ui.conftest import csrf_of


@pytest.fixture
def staff(org, session):
    holder = Holder(
        kind="staff",
        staff_number="A001",
        full_name="Trần Văn Chấm",
        name_folded="tran van cham",
        unit_id=org.units["snv_vp"].id,
    )
    session.add(holder)
    session.commit()
    return holder


def _corrections(session):
    return session.scalar(select(func.count()).select_from(AttendanceCorrection))


def test_hr_opens_the_timesheet_of_their_agency(as_hr, org, staff):
    sheet = as_hr.get(f"/admin/attendance/units/{org.units['snv'].id}?year=2026&month=11")
    assert sheet.status_code == 200
    assert "Trần Văn Chấm" in sheet.text
    other = as_hr.get(f"/admin/attendance/units/{org.units['stp'].id}?year=2026&month=11")
    assert other.status_code == 404


def test_the_legend_names_every_kind_of_leave_in_the_readers_language(as_hr, org, staff):
    url = f"/admin/attendance/units/{org.units['snv'].id}?year=2026&month=11"
    vietnamese = as_hr.get(url).text
    for words in ("Nghỉ phép năm", "Nghỉ ốm", "Thai sản", "Công tác", "Nghỉ không lương"):
        assert f"<dd>{words}</dd>" in vietnamese
    assert "<dd>Nghỉ việc riêng có lương</dd>" in vietnamese
    as_hr.cookies.set("ecard_lang", "en", path="/admin")
    english = as_hr.get(url).text
    assert "<dd>Annual leave</dd>" in english
    assert "<dd>Present (full day)</dd>" in english
    for raw in ("annual", "sick", "maternity", "business_trip", "unpaid", "Nghỉ:"):
        assert raw not in english.split("<h2>")[-1]  # the legend, after its heading


def test_a_correction_needs_a_reason_and_is_then_recorded(as_hr, staff, session):
    url = f"/admin/attendance/holders/{staff.id}/days/2026-11-23/correct"
    token = csrf_of(as_hr.get(url).text)
    before = _corrections(session)
    refused = as_hr.post(url, data={"csrf_token": token, "first_in": "07:55", "reason": ""})
    assert 'id="e-reason"' in refused.text
    bad_time = as_hr.post(url, data={"csrf_token": token, "first_in": "7h", "reason": "quên"})
    assert 'id="e-first_in"' in bad_time.text
    assert _corrections(session) == before
    done = as_hr.post(
        url,
        data={
            "csrf_token": token,
            "first_in": "07:55",
            "last_out": "17:05",
            "reason": "Quên chấm công, trưởng phòng xác nhận",
        },
    )
    assert done.status_code == 303
    assert _corrections(session) == before + 1
    person = as_hr.get(done.headers["location"])
    assert "Quên chấm công, trưởng phòng xác nhận" in person.text
    assert 'data-day="2026-11-23"' in person.text


def test_the_xlsx_export_runs_as_a_job_and_reads_back(as_hr, org, staff):
    unit = org.units["snv"].id
    sheet = as_hr.get(f"/admin/attendance/units/{unit}?year=2026&month=11")
    response = as_hr.post(
        f"/admin/attendance/units/{unit}/export",
        data={"csrf_token": csrf_of(sheet.text), "year": "2026", "month": "11", "format": "xlsx"},
    )
    assert response.status_code == 303
    job = as_hr.get(response.headers["location"])
    assert 'data-state="done"' in job.text
    found = re.search(r'href="(/admin/jobs/[^"]+/download)"', job.text)
    assert found
    link = found.group(1)
    download = as_hr.get(link)
    assert "bang-cham-cong-2026-11.xlsx" in download.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(download.content)).worksheets[0].values)
    assert rows[0][:3] == ("Mã cán bộ", "Họ và tên", "Đơn vị")
    assert rows[1][:2] == ("A001", "Trần Văn Chấm")


def test_someone_elses_job_is_not_found(as_hr, as_admin, org, staff):
    unit = org.units["snv"].id
    sheet = as_hr.get(f"/admin/attendance/units/{unit}?year=2026&month=11")
    job_url = as_hr.post(
        f"/admin/attendance/units/{unit}/export",
        data={"csrf_token": csrf_of(sheet.text), "year": "2026", "month": "11", "format": "csv"},
    ).headers["location"]
    assert as_admin.get(job_url).status_code == 404


def test_counter_staff_have_no_attendance(as_counter):
    assert as_counter.get("/admin/attendance").status_code == 403


def test_days_without_a_symbol_show_the_legends_dot(as_hr, org, staff):
    """The service leaves a weekly rest day, and a day not reached yet, without a code;
    the sheet shows it as the "·" its legend explains, never as a blank cell."""
    page = as_hr.get(f"/admin/attendance/units/{org.units['snv'].id}?year=2026&month=11").text
    legend = dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", page))
    assert legend["·"] == "Ngày nghỉ hằng tuần hoặc chưa đến"
    row = page.split("Trần Văn Chấm", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="c-day[^"]*">([^<]*)</td>', row)
    assert len(cells) == 30  # November
    assert "" not in cells
    assert set(cells) <= set(legend)
    # The clock says 24 Nov 2026, 09:00: Sunday the 1st rested; today and after are not over.
    assert cells[0] == "·"
    assert cells[23:] == ["·"] * 7
    assert cells[1] == "V"  # Monday the 2nd: a workday with no tap
