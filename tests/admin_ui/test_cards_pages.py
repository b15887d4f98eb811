"""Card pages: request, revoke with a reason and a confirmation, and what counter staff
may not do (the button is absent; a forged POST is refused and changes nothing)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from card_service.cards.models import Card, CardTransition
from card_service.holders.models import Holder
from tests.admin_ui.conftest import csrf_of


@pytest.fixture
def card_url(as_admin, org, pki, session):
    holder = Holder(
        kind="staff",
        staff_number="C001",
        full_name="Lê Thị Thẻ",
        name_folded="le thi the",
        unit_id=org.units["snv"].id,
    )
    session.add(holder)
    session.commit()
    page = as_admin.get(f"/admin/holders/{holder.id}")
    response = as_admin.post(
        "/admin/cards/request", data={"csrf_token": csrf_of(page.text), "holder_id": str(holder.id)}
    )
    assert response.status_code == 303
    return response.headers["location"].split("?")[0]


def _state(session, url):
    session.expire_all()
    card_id = uuid.UUID(url.rsplit("/", 1)[1])
    return session.scalar(select(Card.state).where(Card.id == card_id)).value


def test_a_requested_card_polls_its_state_and_tells_where_to_issue_it(as_admin, card_url):
    page = as_admin.get(card_url)
    assert 'data-state="requested"' in page.text
    assert f'hx-get="{card_url}/state?shown=requested"' in page.text
    fragment = as_admin.get(f"{card_url}/state", params={"shown": "requested"})
    assert "HX-Refresh" not in fragment.headers


def test_revoke_needs_a_reason_then_a_confirmation(as_admin, card_url, session):
    form = as_admin.get(f"{card_url}/revoke")
    token = csrf_of(form.text)
    refused = as_admin.post(f"{card_url}/revoke", data={"csrf_token": token, "comment": "x"})
    assert 'id="e-reason"' in refused.text
    assert 'id="e-comment"' in refused.text
    review = as_admin.post(
        f"{card_url}/revoke",
        data={"csrf_token": token, "reason": "lost", "comment": "mất ở bến xe"},
    )
    assert review.status_code == 200
    assert 'name="confirm" value="yes"' in review.text
    assert _state(session, card_url) == "requested"  # not yet
    done = as_admin.post(
        f"{card_url}/revoke",
        data={"csrf_token": token, "reason": "lost", "comment": "mất ở bến xe", "confirm": "yes"},
    )
    assert done.status_code == 303
    assert _state(session, card_url) == "revoked"
    comments = session.scalars(select(CardTransition.comment)).all()
    assert "mất ở bến xe" in comments


def test_counter_staff_see_no_revoke_button_and_a_forged_post_is_refused(
    as_admin, as_counter, card_url, session, org
):
    # Counter staff look up cards of their centre only: this card is not theirs.
    assert as_counter.get(card_url).status_code == 404
    cards_page = as_counter.get("/admin/cards")
    assert "/revoke" not in cards_page.text
    token = csrf_of(as_counter.get("/admin/").text)
    body = {"reason": "lost", "comment": "forged request", "confirm": "yes"}
    without_token = as_counter.post(f"{card_url}/revoke", data=body)
    with_token = as_counter.post(f"{card_url}/revoke", data={**body, "csrf_token": token})
    assert without_token.status_code == 403
    assert with_token.status_code == 403
    assert _state(session, card_url) == "requested"


def test_an_admin_post_without_the_csrf_token_is_refused(as_admin, card_url, session):
    body = {"reason": "lost", "comment": "no token", "confirm": "yes"}
    assert as_admin.post(f"{card_url}/revoke", data=body).status_code == 403
    wrong = as_admin.post(f"{card_url}/revoke", data={**body, "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    assert _state(session, card_url) == "requested"


def test_the_printable_card_is_a_png_and_a_pdf(as_admin, card_url):
    assert as_admin.get(f"{card_url}/print").status_code == 200
    png = as_admin.get(f"{card_url}/card.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    pdf = as_admin.get(f"{card_url}/card.pdf")
    assert pdf.content.startswith(b"%PDF")
