"""Lock-out after failed sign-ins: a real account, a disabled one and a name nobody has
answer exactly alike (no account enumeration); real lock-outs and refresh-token reuse
are written to the audit log."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from card_service.audit.models import AuditEntry
from card_service.auth.models import SignInFailure
from card_service.auth.signin import name_digest
from tests.card_service.conftest import PASSWORD


def _sign_in(client, username, password):
    return client.post("/api/v1/auth/sign-in", json={"username": username, "password": password})


def _answers(client, username, attempts=7):
    """Status, code and detail of a run of wrong passwords, then the right one's."""
    seen = []
    for _ in range(attempts):
        response = _sign_in(client, username, "wrong password")
        body = response.json()
        seen.append((response.status_code, body["code"], body["detail"], body.get("locked_until")))
    return seen


def _audit(session, action):
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_an_unknown_name_locks_out_exactly_like_a_real_account(client, org, clock):
    real = _answers(client, "hr")
    unknown = _answers(client, "nobody-here")
    assert real == unknown
    assert [status for status, *_ in real] == [401] * 5 + [423] * 2
    assert real[5][3] == (clock.now + timedelta(minutes=15)).isoformat()
    # Even the right password is refused while locked, for both.
    assert _sign_in(client, "hr", PASSWORD).status_code == 423
    clock.advance(minutes=16)
    assert _sign_in(client, "hr", PASSWORD).status_code == 200
    assert _sign_in(client, "nobody-here", "wrong password").status_code == 401


def test_a_disabled_account_answers_like_an_unknown_name(client, org, session):
    org.users["counter"].active = False
    session.commit()
    assert _answers(client, "counter") == _answers(client, "no-such-person")


def test_the_lock_out_of_a_real_account_is_audited_and_an_unknown_names_is_not(
    client, org, session, clock
):
    _answers(client, "HR ", attempts=5)
    _answers(client, "nobody-here", attempts=5)
    [entry] = _audit(session, "user.locked_out")
    assert entry.actor == "system:sign-in"
    assert entry.object_id == org.users["hr"].id
    assert entry.data["username"] == "hr"
    assert entry.data["failures"] == 5
    assert entry.data["locked_until"] == (clock.now + timedelta(minutes=15)).isoformat()
    # Nothing stores the names people typed.
    names = [row.name_digest for row in session.scalars(select(SignInFailure))]
    assert name_digest("nobody-here") in names
    assert b"nobody-here" not in b"".join(names)


def test_failures_are_forgotten_after_a_quiet_day_for_every_name(client, org, clock):
    for name in ("hr", "nobody-here"):
        for _ in range(4):
            assert _sign_in(client, name, "wrong password").status_code == 401
    clock.advance(hours=25)
    for name in ("hr", "nobody-here"):
        # A new first failure (and then a fifth one that locks), not a fifth one.
        assert _sign_in(client, name, "wrong password").status_code == 401
        assert _sign_in(client, name, "wrong password").status_code == 401
    assert _sign_in(client, "hr", PASSWORD).status_code == 200


def test_reusing_a_refresh_token_is_audited(client, org, session):
    tokens = _sign_in(client, "admin", PASSWORD).json()
    first = tokens["refresh_token"]
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first}).json()
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401
    [entry] = _audit(session, "auth.refresh_token_reused")
    assert entry.actor == "system:refresh"
    assert entry.object_id == org.users["admin"].id
    assert entry.data["username"] == "admin"
    assert entry.data["tokens_revoked"] == 2  # the reused token and the successor it bought
    assert first not in str(entry.data)
    assert second["refresh_token"] not in str(entry.data)
    # The revocation stuck: the family's newest token no longer works either.
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert again.status_code == 401
