"""Readers, access policy, holiday calendar and service-centre pages: forms refuse bad
input next to the field and save nothing; each page only for the roles allowed."""

from __future__ import annotations

from sqlalchemy import func, select

from card_service.access.models import Schedule
from card_service.attendance.models import CalendarOverride
from card_service.readers.models import Reader
from tests.admin_ui.conftest import csrf_of


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_registering_a_reader_shows_its_token_once_as_text_and_qr(as_admin, org, session, pki):
    token = csrf_of(as_admin.get("/admin/readers/new").text)
    before = _count(session, Reader)
    refused = as_admin.post("/admin/readers/new", data={"csrf_token": token, "name": "Cổng"})
    assert 'id="e-site_unit_id"' in refused.text
    assert 'id="e-location"' in refused.text
    assert _count(session, Reader) == before
    ticket = as_admin.post(
        "/admin/readers/new",
        data={
            "csrf_token": token,
            "name": "Cổng chính",
            "site_unit_id": str(org.units["snv"].id),
            "location": "Cổng A",
            "mode": "door",
        },
    )
    assert ticket.status_code == 200
    assert 'id="enrolment-token"' in ticket.text
    assert "<svg" in ticket.text
    assert ticket.headers["cache-control"] == "no-store"
    assert _count(session, Reader) == before + 1
    listing = as_admin.get("/admin/readers")
    assert "Cổng chính" in listing.text


def test_readers_are_for_administrators_and_auditors(as_auditor, as_hr, as_counter):
    assert as_auditor.get("/admin/readers").status_code == 200
    assert "/admin/readers/new" not in as_auditor.get("/admin/readers").text
    assert as_auditor.get("/admin/readers/new").status_code == 403
    assert as_hr.get("/admin/readers").status_code == 403
    assert as_counter.get("/admin/readers").status_code == 403


def test_a_schedule_needs_days_and_times(as_admin, session):
    token = csrf_of(as_admin.get("/admin/access").text)
    before = _count(session, Schedule)
    refused = as_admin.post("/admin/access/schedules", data={"csrf_token": token, "s_name": "HC"})
    assert 'id="e-s_days"' in refused.text
    assert 'id="e-s_start"' in refused.text
    assert _count(session, Schedule) == before
    done = as_admin.post(
        "/admin/access/schedules",
        data={
            "csrf_token": token,
            "s_name": "Giờ hành chính",
            "s_days": ["0", "1", "2", "3", "4"],
            "s_start": "07:00",
            "s_end": "17:30",
            "s_holidays": "1",
        },
    )
    assert done.status_code == 303
    assert _count(session, Schedule) == before + 1
    assert "Giờ hành chính" in as_admin.get("/admin/access").text


def test_groups_and_rules_from_the_access_page(as_admin, org):
    token = csrf_of(as_admin.get("/admin/access").text)
    for kind, name in (("groups", "Cán bộ SNV"), ("door-groups", "Cửa SNV")):
        created = as_admin.post(
            "/admin/access/groups",
            data={
                "csrf_token": token,
                "g_kind": kind,
                "g_name": name,
                "g_unit": str(org.units["snv"].id),
            },
        )
        assert created.status_code == 303
    page = as_admin.get("/admin/access").text
    assert "Cán bộ SNV" in page
    assert "Cửa SNV" in page
    refused = as_admin.post("/admin/access/rules", data={"csrf_token": token, "r_name": "R"})
    assert 'id="e-r_access"' in refused.text


def test_the_calendar_shows_national_holidays_and_takes_local_days(as_admin, as_hr, session):
    page = as_hr.get("/admin/calendar?year=2026")
    assert page.status_code == 200
    assert "Quốc gia" in page.text  # national holidays, in Vietnamese
    assert "<td>Toàn quốc</td>" in page.text  # their unit: the whole country, not a blank
    assert 'action="/admin/calendar"' not in page.text  # HR reads; administrators edit
    token = csrf_of(as_admin.get("/admin/calendar?year=2026").text)
    before = _count(session, CalendarOverride)
    refused = as_admin.post(
        "/admin/calendar", data={"csrf_token": token, "day": "31/12", "kind": "holiday"}
    )
    assert 'id="e-day"' in refused.text
    assert 'id="e-name"' in refused.text
    assert _count(session, CalendarOverride) == before
    done = as_admin.post(
        "/admin/calendar",
        data={"csrf_token": token, "day": "2026-12-31", "kind": "holiday", "name": "Nghỉ bù"},
    )
    assert done.status_code == 303
    assert _count(session, CalendarOverride) == before + 1


def test_service_centre_statistics_for_counter_staff(as_counter, as_hr):
    page = as_counter.get("/admin/service-centres")
    assert page.status_code == 200
    assert "Trung tâm" in page.text
    assert as_hr.get("/admin/service-centres").status_code == 403


def test_every_page_sends_the_security_headers(as_admin):
    response = as_admin.get("/admin/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    api = as_admin.get("/healthz")
    assert "content-security-policy" not in api.headers
