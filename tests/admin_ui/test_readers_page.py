"""The readers page shows how old each reader's revocation list is, not only how many
numbers behind it is; the details list the lists by issuer, never a Python dict."""

from __future__ import annotations

import re

import pytest

from card_service.pki.authorities import current_issuing_ca
from card_service.pki.revocations import publish_complete
from tests.admin_ui.conftest import sign_in
from tests.card_service.events.factories import make_reader


@pytest.fixture
def door(as_admin, session, org, pki, clock):
    # The client first: its start-up may add a partition to tap_events, whose foreign
    # key on readers would wait for this test's transaction.
    ca = current_issuing_ca(session, pki)
    reader = make_reader(session, org.units["snv"])
    reader.name = "Cổng chính"
    reader.crl_numbers = {ca.key_id: 1}  # holds the first list, signed at clock.now
    session.commit()
    clock.advance(hours=1)
    publish_complete(session, pki, ca, now=clock.now)  # list 2: the reader is behind
    clock.advance(hours=2)
    reader.last_heartbeat_at = clock.now
    session.commit()
    sign_in(as_admin, "admin")  # three hours idle ended the first session
    return reader, ca


def test_the_list_shows_the_age_of_the_list_each_reader_holds(as_admin, door):
    page = as_admin.get("/admin/readers").text
    assert "chậm 1 danh sách" in page
    assert 'data-crl-age="10800"' in page  # signed three hours ago
    assert "3 giờ" in page


def test_the_detail_lists_each_issuers_list_without_python_reprs(as_admin, door):
    reader, ca = door
    page = as_admin.get(f"/admin/readers/{reader.id}").text
    assert ca.key_id in page
    assert re.search(r"số 1.*mới nhất 2", page)
    assert "{'" not in page
    assert "{&#39;" not in page


def test_a_list_older_than_the_readers_limit_is_flagged(as_admin, door, clock, session):
    reader, _ = door
    clock.advance(hours=40)
    reader.last_heartbeat_at = clock.now
    session.commit()
    sign_in(as_admin, "admin")
    page = as_admin.get("/admin/readers").text
    assert "quá cũ" in page
