"""Sign-in, refresh rotation, sign-out, lock-out and throttling through the API."""

from __future__ import annotations

from sqlalchemy import select

from card_service.auth.models import RefreshToken
from tests.card_service.conftest import PASSWORD


def _sign_in(client, username: str = "admin", password: str = PASSWORD):
    return client.post("/api/v1/auth/sign-in", json={"username": username, "password": password})


def test_sign_in_returns_tokens_that_work(client, org) -> None:
    response = _sign_in(client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "admin"
    assert me.json()["grants"] == [{"role": "admin", "unit_id": str(org.units["root"].id)}]


def test_usernames_are_case_insensitive(client, org) -> None:
    assert _sign_in(client, "ADMIN").status_code == 200


def test_wrong_password_and_unknown_user_look_the_same(client, org) -> None:
    wrong = _sign_in(client, password="nope")
    unknown = _sign_in(client, username="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "sign_in_failed"
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_repeated_failures_lock_the_account_for_a_while(client, org, clock) -> None:
    for _ in range(5):
        assert _sign_in(client, password="wrong").status_code == 401
    locked = _sign_in(client)  # even the right password is refused now
    assert locked.status_code == 423
    assert locked.json()["code"] == "account_locked"
    clock.advance(minutes=16)
    assert _sign_in(client).status_code == 200


def test_a_success_resets_the_failure_count(client, org) -> None:
    for _ in range(4):
        _sign_in(client, password="wrong")
    assert _sign_in(client).status_code == 200
    for _ in range(4):
        _sign_in(client, password="wrong")
    assert _sign_in(client).status_code == 200


def test_deactivated_users_cannot_sign_in_or_use_old_tokens(client, org, session) -> None:
    token = _sign_in(client).json()["access_token"]
    org.users["admin"].active = False
    session.commit()
    assert _sign_in(client).json()["code"] == "sign_in_failed"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


def test_refresh_rotates_and_a_reused_token_revokes_the_family(client, org, session) -> None:
    first = _sign_in(client).json()["refresh_token"]
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first

    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert replay.status_code == 401
    assert replay.json()["code"] == "invalid_token"
    # The thief's replay also signed the owner out: the successor is dead too.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": second}).status_code == 401
    family = session.scalars(select(RefreshToken)).all()
    assert len(family) == 2
    assert all(token.revoked_at is not None for token in family)


def test_refresh_tokens_expire(client, org, clock) -> None:
    token = _sign_in(client).json()["refresh_token"]
    clock.advance(days=8)
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": token}).status_code == 401


def test_sign_out_revokes_the_refresh_token(client, org) -> None:
    token = _sign_in(client).json()["refresh_token"]
    assert client.post("/api/v1/auth/sign-out", json={"refresh_token": token}).status_code == 204
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": token}).status_code == 401


def test_sign_in_attempts_are_throttled_per_address(client, org, auth_context) -> None:
    object.__setattr__(auth_context.limiter, "_limit", 3)
    for _ in range(3):
        _sign_in(client, password="wrong")
    throttled = _sign_in(client)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "60"


def test_unknown_fields_in_sign_in_are_refused(client, org) -> None:
    response = client.post(
        "/api/v1/auth/sign-in", json={"username": "admin", "password": PASSWORD, "role": "admin"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
