"""The audit page lists entries and shows the chain's verification status; only
auditors and administrators open it."""

from __future__ import annotations

from card_service.audit.service import record
from tests.card_service.events.factories import make_reader


def test_auditor_sees_entries_and_an_intact_chain(as_auditor):
    page = as_auditor.get("/admin/audit", params={"action": "unit.created"})
    assert page.status_code == 200
    assert 'data-action="unit.created"' in page.text
    status = as_auditor.get("/admin/audit/verification")
    assert 'class="alert ok"' in status.text


def test_hr_and_counter_staff_cannot_open_it(as_hr, as_counter):
    assert as_hr.get("/admin/audit").status_code == 403
    assert as_counter.get("/admin/audit/verification").status_code == 403


def test_details_read_as_text_and_readers_by_name(as_auditor, session, org, clock):
    # The client first: its start-up may add a partition to tap_events, whose foreign
    # key on readers would wait for this test's transaction.
    reader = make_reader(session, org.units["snv"])
    reader.name = "Cổng chính Sở Nội vụ"
    record(
        session,
        actor=f"reader:{reader.id}",
        action="test.details",
        object_type="user",
        object_id=None,
        data={
            "roles": [["auditor", str(org.units["root"].id)], ["hr", str(org.units["snv"].id)]],
            "comment": None,
            "tags": ["a", "b"],
            "active": True,
        },
        now=clock.now,
    )
    session.commit()
    page = as_auditor.get("/admin/audit", params={"action": "test.details"}).text
    row = page[page.index('data-action="test.details"') :]
    row = row[: row.index("</tr>")]
    assert "None" not in row
    assert "[[" not in row
    assert "[&#39;" not in row
    assert f"auditor · {org.units['root'].id}" in row
    assert "<li>a</li><li>b</li>" in row
    assert '<span class="muted">comment:</span> —' in row
    assert f'<span title="reader:{reader.id}">Cổng chính Sở Nội vụ</span>' in row


def test_the_table_wraps_long_codes_instead_of_widening_the_page(as_auditor):
    page = as_auditor.get("/admin/audit").text
    assert '<table class="audit">' in page
    css = as_auditor.get("/admin/static/admin.css").text
    assert "table.audit { table-layout: fixed" in css
    assert "overflow-wrap: anywhere" in css
