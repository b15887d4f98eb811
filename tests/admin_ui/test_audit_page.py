"""The audit page lists entries and shows the chain's verification status; only
auditors and administrators open it."""

from __future__ import annotations


def test_auditor_sees_entries_and_an_intact_chain(as_auditor):
    page = as_auditor.get("/admin/audit", params={"action": "unit.created"})
    assert page.status_code == 200
    assert 'data-action="unit.created"' in page.text
    status = as_auditor.get("/admin/audit/verification")
    assert 'class="alert ok"' in status.text


def test_hr_and_counter_staff_cannot_open_it(as_hr, as_counter):
    assert as_hr.get("/admin/audit").status_code == 403
    assert as_counter.get("/admin/audit/verification").status_code == 403
