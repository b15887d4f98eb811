"""``POST /api/v1/auth/password``: a signed-in person changes their own password. The
current password is checked under the sign-in lock-out, the new one meets the account
policy, every other sign-in ends, and the change is audited without the password."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from card_service.audit.models import AuditEntry
from card_service.auth.browser_sessions import create_browser_session, find_browser_session
from card_service.auth.models import SignInFailure
from tests.card_service.conftest import PASSWORD

NEW_PASSWORD = "mật khẩu mới đủ dài 2026"
URL = "/api/v1/auth/password"


def _sign_in(client, username="hr", password=PASSWORD):
    return client.post("/api/v1/auth/sign-in", json={"username": username, "password": password})


def _bearer(pair):
    return {"Authorization": f"Bearer {pair['access_token']}"}


def _refresh(client, token):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def _audit(session, action):
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_new_password_works_and_only_this_sign_in_survives(client, org, session, clock):
    here = _sign_in(client).json()
    elsewhere = _sign_in(client).json()
    console = create_browser_session(
        session, user_id=org.users["hr"].id, display_name="HR", now=clock.now
    )
    session.commit()
    changed = client.post(
        URL,
        json={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "refresh_token": here["refresh_token"],
        },
        headers=_bearer(here),
    )
    assert changed.status_code == 204, changed.text
    assert _refresh(client, here["refresh_token"]).status_code == 200
    assert _refresh(client, elsewhere["refresh_token"]).status_code == 401
    assert find_browser_session(session, console, now=clock.now) is None
    assert _sign_in(client, password=PASSWORD).status_code == 401
    assert _sign_in(client, password=NEW_PASSWORD).status_code == 200
    [entry] = _audit(session, "user.password_changed")
    assert entry.actor == "user:hr"
    assert entry.object_id == org.users["hr"].id
    assert entry.data["refresh_tokens_revoked"] == 1
    assert entry.data["browser_sessions_revoked"] == 1
    assert entry.data["kept_api_sign_in"] is True
    assert PASSWORD not in str(entry.data)
    assert NEW_PASSWORD not in str(entry.data)


def test_without_a_refresh_token_every_sign_in_ends(client, org, session):
    first = _sign_in(client).json()
    second = _sign_in(client).json()
    changed = client.post(
        URL,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=_bearer(first),
    )
    assert changed.status_code == 204, changed.text
    assert _refresh(client, first["refresh_token"]).status_code == 401
    assert _refresh(client, second["refresh_token"]).status_code == 401


def test_another_accounts_refresh_token_keeps_nothing(client, org, session):
    mine = _sign_in(client).json()
    theirs = _sign_in(client, "counter").json()
    changed = client.post(
        URL,
        json={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "refresh_token": theirs["refresh_token"],
        },
        headers=_bearer(mine),
    )
    assert changed.status_code == 204
    assert _refresh(client, mine["refresh_token"]).status_code == 401
    assert _refresh(client, theirs["refresh_token"]).status_code == 200  # not touched


def test_a_wrong_current_password_counts_as_a_failed_sign_in(client, as_user, org, session, clock):
    headers = as_user("hr")
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    answers = [client.post(URL, json=body, headers=headers) for _ in range(6)]
    assert [a.status_code for a in answers] == [403] * 5 + [423]
    assert {a.json()["code"] for a in answers[:5]} == {"wrong_current_password"}
    assert answers[5].json()["code"] == "account_locked"
    assert answers[5].json()["locked_until"] == (clock.now + timedelta(minutes=15)).isoformat()
    # The name is locked for sign-in too, and the right current password is refused.
    assert _sign_in(client).status_code == 423
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post(URL, json=right, headers=headers).status_code == 423
    [locked] = _audit(session, "user.locked_out")
    assert locked.data["username"] == "hr"
    assert _audit(session, "user.password_changed") == []
    clock.advance(minutes=16)
    assert client.post(URL, json=right, headers=as_user("hr")).status_code == 204


def test_a_success_forgets_earlier_failures(client, as_user, org, session):
    headers = as_user("hr")
    wrong = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    assert client.post(URL, json=wrong, headers=headers).status_code == 403
    assert session.scalars(select(SignInFailure)).all() != []
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post(URL, json=right, headers=headers).status_code == 204
    session.expire_all()
    assert session.scalars(select(SignInFailure)).all() == []


def test_a_weak_new_password_is_refused_and_costs_no_attempt(client, as_user, org, session):
    for current in (PASSWORD, "not my password"):
        refused = client.post(
            URL,
            json={"current_password": current, "new_password": "short"},
            headers=as_user("hr"),
        )
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "weak_password"
    assert session.scalars(select(SignInFailure)).all() == []
    assert _sign_in(client).status_code == 200  # unchanged
    assert _audit(session, "user.password_changed") == []


def test_it_needs_a_signed_in_person_and_a_clean_body(client, as_user, org):
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post(URL, json=body).status_code == 401
    extra = client.post(URL, json={**body, "username": "admin"}, headers=as_user("hr"))
    assert extra.status_code == 422
    assert _sign_in(client).status_code == 200  # unchanged


def test_the_current_password_again_is_refused_and_costs_no_attempt(client, as_user, org, session):
    # Also when the current password typed is wrong: only the two typed strings are
    # compared, so the answer says nothing about the stored password.
    for current in (PASSWORD, "not my password either"):
        refused = client.post(
            URL,
            json={"current_password": current, "new_password": current},
            headers=as_user("hr"),
        )
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "password_unchanged"
    assert session.scalars(select(SignInFailure)).all() == []
    assert _audit(session, "user.password_changed") == []
    assert _sign_in(client).status_code == 200  # unchanged


def test_a_new_password_equal_to_the_stored_one_is_not_revealed(client, as_user, org, session):
    # A wrong current password with the real one as the new: the wrong one is what counts.
    body = {"current_password": "not my password", "new_password": PASSWORD}
    refused = client.post(URL, json=body, headers=as_user("hr"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "wrong_current_password"


def test_password_changes_share_the_sign_in_limit_per_address(
    client, as_user, org, session, auth_context
):
    object.__setattr__(auth_context.limiter, "_limit", 3)
    wrong = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    assert _sign_in(client, password="wrong").status_code == 401
    assert client.post(URL, json=wrong, headers=as_user("hr")).status_code == 403
    assert _sign_in(client, password="wrong").status_code == 401
    # The fourth attempt from this address, on either endpoint, is refused unchecked.
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    throttled = client.post(URL, json=right, headers=as_user("hr"))
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "too_many_attempts"
    assert throttled.headers["Retry-After"] == "60"
    assert _sign_in(client).status_code == 429
    failures = session.scalars(select(SignInFailure)).all()
    assert [f.failures for f in failures] == [3]  # the refused attempts counted nothing
    assert _audit(session, "user.password_changed") == []
