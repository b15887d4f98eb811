"""Cards through the API: request, suspend, resume, revoke, replace, with the CRL in step."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from card_service.cards.models import Card, CardState
from card_service.pki.authorities import latest_trust_bundle, root_certificates
from card_service.pki.models import CrlDocument, CrlState
from crypto.revocation import RevocationReason, accept_revocation_list
from crypto.trust import verify_trust_bundle
from tests.card_service.cards.certificates import certify


@pytest.fixture
def holder(client, org, as_user):
    response = client.post(
        "/api/v1/holders",
        json={
            "staff_number": "NV100",
            "full_name": "Hoàng Văn Nam",
            "unit_id": str(org.units["snv"].id),
        },
        headers=as_user("admin"),
    )
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def active_card(client, as_user, holder, session, pki, clock):
    """A card as issuance leaves it: active, with a certificate from the test PKI."""
    created = client.post(
        "/api/v1/cards", json={"holder_id": holder["id"]}, headers=as_user("admin")
    )
    assert created.status_code == 201
    card = session.get(Card, uuid.UUID(created.json()["id"]))
    certify(session, pki, card, now=clock.now, state=CardState.ACTIVE)
    session.commit()
    return card


def _crl_state(session, card):
    return session.get(CrlState, card.issuer_key_id)


def _reader_view(session, clock, card):
    """Verify every published CRL the way a reader would and look the card up."""
    bundle = verify_trust_bundle(
        latest_trust_bundle(session).envelope, roots=root_certificates(session), now=clock.now
    )
    held = None
    documents = session.scalars(
        select(CrlDocument)
        .where(CrlDocument.issuer_key_id == card.issuer_key_id)
        .order_by(CrlDocument.number)
    )
    for document in documents:
        if document.base_number is None or held is not None:
            held = accept_revocation_list(document.der, trust=bundle, now=clock.now, held=held)
    assert held is not None
    return held.number, held.lookup(int(card.certificate_serial, 16))


def test_request_creates_a_requested_card_with_history(client, as_user, holder) -> None:
    response = client.post(
        "/api/v1/cards",
        json={"holder_id": holder["id"], "comment": "mới"},
        headers=as_user("admin"),
    )
    assert response.status_code == 201
    card = response.json()
    assert card["state"] == "requested"
    assert card["serial"].startswith("HUE-")
    assert set(card["allowed_actions"]) == {"start_issuance", "revoke"}
    history = client.get(f"/api/v1/cards/{card['id']}/history", headers=as_user("auditor")).json()
    assert [(h["from_state"], h["to_state"], h["actor"]) for h in history["items"]] == [
        (None, "requested", "user:admin")
    ]


def test_suspend_puts_the_certificate_on_hold_and_resume_lifts_it(
    client, as_user, active_card, session, clock
) -> None:
    headers = as_user("admin")
    url = f"/api/v1/cards/{active_card.id}"
    number_before = _crl_state(session, active_card).number

    suspended = client.post(f"{url}/suspend", json={"comment": "nghỉ phép dài"}, headers=headers)
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["state"] == "suspended"
    number, entry = _reader_view(session, clock, active_card)
    assert number == number_before + 1
    assert entry is not None
    assert entry.reason is RevocationReason.CERTIFICATE_HOLD

    resumed = client.post(f"{url}/resume", json={"comment": "đi làm lại"}, headers=headers)
    assert resumed.json()["state"] == "active"
    number, entry = _reader_view(session, clock, active_card)
    assert number == number_before + 2
    assert entry is None


def test_revoke_is_final_and_listed_with_its_reason(client, as_user, active_card, session, clock):
    headers = as_user("admin")
    url = f"/api/v1/cards/{active_card.id}"
    revoked = client.post(
        f"{url}/revoke", json={"reason": "stolen", "comment": "báo mất cắp"}, headers=headers
    )
    assert revoked.status_code == 200
    assert revoked.json()["allowed_actions"] == []
    _, entry = _reader_view(session, clock, active_card)
    assert entry is not None
    assert entry.reason is RevocationReason.KEY_COMPROMISE

    again = client.post(f"{url}/resume", json={"comment": "thử lại"}, headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_card_transition"
    assert again.json()["state"] == "revoked"


def test_replace_revokes_and_links_a_new_card(client, as_user, active_card, session, clock):
    response = client.post(
        f"/api/v1/cards/{active_card.id}/replace",
        json={"reason": "damaged", "comment": "thẻ bị gãy"},
        headers=as_user("admin"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["revoked"]["state"] == "revoked"
    assert body["replacement"]["state"] == "requested"
    assert body["revoked"]["replaced_by_id"] == body["replacement"]["id"]
    _, entry = _reader_view(session, clock, active_card)
    assert entry is not None
    assert entry.reason is RevocationReason.SUPERSEDED
    history = client.get(f"/api/v1/cards/{active_card.id}/history", headers=as_user("admin"))
    assert history.json()["items"][-1]["reason"] == "damaged"
    assert history.json()["items"][-1]["comment"] == "thẻ bị gãy"


def test_one_active_card_per_holder(client, as_user, holder, active_card, session, pki, clock):
    second = client.post(
        "/api/v1/cards", json={"holder_id": holder["id"]}, headers=as_user("admin")
    )
    card = session.get(Card, uuid.UUID(second.json()["id"]))
    certify(session, pki, card, now=clock.now, state=CardState.SUSPENDED)
    session.commit()
    resumed = client.post(
        f"/api/v1/cards/{card.id}/resume", json={"comment": "kích hoạt"}, headers=as_user("admin")
    )
    assert resumed.status_code == 409
    assert resumed.json()["code"] == "active_card_exists"


def test_a_failed_transition_changes_nothing(client, as_user, active_card, session) -> None:
    number = _crl_state(session, active_card).number
    bad = client.post(
        f"/api/v1/cards/{active_card.id}/resume",
        json={"comment": "không hợp lệ"},
        headers=as_user("admin"),
    )
    assert bad.status_code == 409
    session.expire_all()
    assert _crl_state(session, active_card).number == number
    assert session.get(Card, active_card.id).state is CardState.ACTIVE


def test_if_match_guards_transitions_when_sent(client, as_user, active_card) -> None:
    headers = as_user("admin")
    url = f"/api/v1/cards/{active_card.id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    client.post(f"{url}/suspend", json={"comment": "lần một"}, headers=headers)
    stale = client.post(
        f"{url}/resume", json={"comment": "lần hai"}, headers=headers | {"If-Match": etag}
    )
    assert stale.status_code == 412


def test_a_reason_is_required(client, as_user, active_card) -> None:
    url = f"/api/v1/cards/{active_card.id}"
    assert client.post(f"{url}/suspend", json={}, headers=as_user("admin")).status_code == 422
    revoke = client.post(
        f"{url}/revoke",
        json={"reason": "bored", "comment": "không lý do"},
        headers=as_user("admin"),
    )
    assert revoke.status_code == 422


def test_protected_fields_in_a_card_request_are_refused(client, as_user, holder) -> None:
    response = client.post(
        "/api/v1/cards",
        json={"holder_id": holder["id"], "state": "active"},
        headers=as_user("admin"),
    )
    assert response.status_code == 422


def test_cards_of_a_deactivated_holder_cannot_be_requested(client, as_user, holder) -> None:
    headers = as_user("admin")
    etag = client.get(f"/api/v1/holders/{holder['id']}", headers=headers).headers["ETag"]
    client.post(f"/api/v1/holders/{holder['id']}/deactivate", headers=headers | {"If-Match": etag})
    response = client.post("/api/v1/cards", json={"holder_id": holder["id"]}, headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == "holder_inactive"


def test_transitions_are_audited(client, as_user, active_card, session) -> None:
    from card_service.audit.models import AuditEntry

    client.post(
        f"/api/v1/cards/{active_card.id}/suspend",
        json={"comment": "kiểm tra"},
        headers=as_user("admin"),
    )
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.object_id, entry.data["to"]) == (
        "card.suspend",
        active_card.id,
        "suspended",
    )


def test_history_comes_in_pages_and_filters_by_state(client, as_user, active_card) -> None:
    headers = as_user("admin")
    url = f"/api/v1/cards/{active_card.id}"
    for action, comment in [("suspend", "nghỉ phép"), ("resume", "đi làm lại")] * 2:
        assert client.post(f"{url}/{action}", json={"comment": comment}, headers=headers).is_success

    everything = client.get(f"{url}/history", headers=headers).json()
    states = [h["to_state"] for h in everything["items"]]
    assert states[-4:] == ["suspended", "active", "suspended", "active"]
    assert everything["total"] == len(states)

    page = client.get(f"{url}/history", params={"limit": 2, "offset": 1}, headers=headers).json()
    assert (page["total"], page["limit"], page["offset"]) == (len(states), 2, 1)
    assert [h["to_state"] for h in page["items"]] == states[1:3]

    suspensions = client.get(f"{url}/history", params={"to_state": "suspended"}, headers=headers)
    assert suspensions.json()["total"] == 2
    assert {h["comment"] for h in suspensions.json()["items"]} == {"nghỉ phép"}
    too_many = client.get(f"{url}/history", params={"limit": 501}, headers=headers)
    assert too_many.status_code == 422
