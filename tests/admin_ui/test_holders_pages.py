"""Holder pages: search without diacritics, create and edit with messages next to the
field, nothing saved when a form is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from card_service.holders.models import Holder
from tests.admin_ui.conftest import csrf_of


def _holder_count(session):
    return session.scalar(select(func.count()).select_from(Holder))


def _create(client, org, **fields):
    page = client.get("/admin/holders/new")
    data = {
        "csrf_token": csrf_of(page.text),
        "kind": "staff",
        "staff_number": "HN001",
        "full_name": "Nguyễn Văn Đức",
        "unit_id": str(org.units["snv"].id),
    }
    data.update(fields)
    return client.post("/admin/holders/new", data=data)


def test_create_then_find_without_diacritics(as_admin, org, session):
    created = _create(as_admin, org)
    assert created.status_code == 303
    holder_url = created.headers["location"].split("?")[0]
    assert "Nguyễn Văn Đức" in as_admin.get(holder_url).text
    found = as_admin.get("/admin/holders", params={"q": "nguyen van duc"})
    assert f'href="{holder_url}"' in found.text
    assert f'href="{holder_url}"' not in as_admin.get("/admin/holders", params={"q": "tran"}).text


def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(as_admin, org, session):
    before = _holder_count(session)
    response = _create(as_admin, org, staff_number="bad number!", email="not-an-email")
    assert response.status_code == 200
    assert 'id="e-staff_number"' in response.text
    assert 'id="e-email"' in response.text
    assert "Nguyễn Văn Đức" in response.text  # what was typed is kept
    assert _holder_count(session) == before


def test_a_duplicate_staff_number_is_refused_on_its_field(as_admin, org, session):
    assert _create(as_admin, org).status_code == 303
    before = _holder_count(session)
    again = _create(as_admin, org, full_name="Người Khác")
    assert 'id="e-staff_number"' in again.text
    assert _holder_count(session) == before


def test_edit_keeps_the_staff_number_and_refuses_a_stale_form(as_admin, org, session):
    holder_url = _create(as_admin, org).headers["location"].split("?")[0]
    form = as_admin.get(f"{holder_url}/edit")
    token = csrf_of(form.text)
    data = {
        "csrf_token": token,
        "version": "1",
        "full_name": "Nguyễn Văn Đức Anh",
        "unit_id": str(org.units["snv"].id),
        "position": "Chuyên viên",
    }
    assert as_admin.post(f"{holder_url}/edit", data=data).status_code == 303
    assert "Nguyễn Văn Đức Anh" in as_admin.get(holder_url).text
    stale = as_admin.post(f"{holder_url}/edit", data={**data, "full_name": "Tên Cũ"})
    assert stale.status_code == 200
    assert "Tên Cũ" in stale.text
    assert "Tên Cũ" not in as_admin.get(holder_url).text


def test_hr_of_another_agency_cannot_see_the_holder(as_admin, make_client, org):
    holder_url = _create(as_admin, org).headers["location"].split("?")[0]
    other = make_client("hr_other")
    assert other.get(holder_url).status_code == 404


def test_counter_staff_can_search_but_not_create(as_counter):
    assert as_counter.get("/admin/holders").status_code == 200
    assert "/admin/holders/new" not in as_counter.get("/admin/holders").text
    assert as_counter.get("/admin/holders/new").status_code == 403
