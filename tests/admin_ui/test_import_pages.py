"""Bulk import: a row-by-row preview (nothing saved), then all rows saved by a job."""

from __future__ import annotations

from sqlalchemy import func, select

from card_service.holders.models import Holder
from tests.admin_ui.conftest import csrf_of

GOOD = "Mã cán bộ,Họ và tên,Mã đơn vị\nIM001,Phạm Văn Nhập,SNV\nIM002,Lý Thị Danh,SNV-VP\n"
BAD = "Mã cán bộ,Họ và tên,Mã đơn vị\nIM003,Người Sai,KHONG-CO\n"


def _count(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Holder))


def _upload(client, content: str):
    token = csrf_of(client.get("/admin/holders/import").text)
    files = {"file": ("ds.csv", content.encode("utf-8"), "text/csv")}
    response = client.post("/admin/holders/import", data={"csrf_token": token}, files=files)
    assert response.status_code == 303
    return client.get(response.headers["location"])


def test_preview_then_save_all(as_hr, session, org):
    before = _count(session)
    preview = _upload(as_hr, GOOD)
    assert preview.text.count('data-row-action="create"') == 2
    assert _count(session) == before  # a preview saves nothing
    save_url = preview.text.split('action="/admin/holders/import/')[1].split('"')[0]
    saved = as_hr.post(
        f"/admin/holders/import/{save_url}", data={"csrf_token": csrf_of(preview.text)}
    )
    job = as_hr.get(saved.headers["location"])
    assert 'data-state="done"' in job.text
    assert _count(session) == before + 2


def test_rows_with_errors_are_shown_and_cannot_be_saved(as_hr, session):
    before = _count(session)
    preview = _upload(as_hr, BAD)
    assert 'data-row-action="error"' in preview.text
    assert "/save" not in preview.text
    assert _count(session) == before


def test_no_file_is_refused_next_to_the_field(as_hr):
    token = csrf_of(as_hr.get("/admin/holders/import").text)
    refused = as_hr.post("/admin/holders/import", data={"csrf_token": token})
    assert 'id="e-file"' in refused.text
