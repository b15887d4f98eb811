"""``/api/v1/users``: administrators create and manage accounts inside their units only,
never granting more than they hold; every change is audited and needs If-Match."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from card_service.audit.models import AuditEntry
from card_service.users.models import Role, User
from tests.card_service.scoped_users import add_user

NEW_PASSWORD = "mật khẩu đủ dài 2026"


@pytest.fixture
def snv_admin(session, org, password_hash):
    return add_user(session, org, "admin_snv", password_hash, [(Role.ADMIN, "snv")], "snv")


def _create(client, headers, org, username="nv.hoa", unit="snv", roles=(("hr", "snv"),), **extra):
    body = {
        "username": username,
        "display_name": "Nguyễn Thị Hoa",
        "password": NEW_PASSWORD,
        "unit_id": str(org.units[unit].id),
        "roles": [{"role": role, "unit_id": str(org.units[key].id)} for role, key in roles],
        **extra,
    }
    return client.post("/api/v1/users", json=body, headers=headers)


def _sign_in(client, username, password=NEW_PASSWORD):
    return client.post("/api/v1/auth/sign-in", json={"username": username, "password": password})


def _change(client, headers, user_id, method, suffix="", json=None):
    """A change with the ETag just read, as the API requires."""
    etag = client.get(f"/api/v1/users/{user_id}", headers=headers).headers["ETag"]
    return client.request(
        method,
        f"/api/v1/users/{user_id}{suffix}",
        json=json,
        headers={**headers, "If-Match": etag},
    )


def _audit(session, action):
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
    )


def test_an_administrator_creates_an_account_that_signs_in(client, as_user, org, session):
    created = _create(client, as_user("admin"), org, username=" NV.Hoa ")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["username"] == "nv.hoa"
    assert body["unit_id"] == str(org.units["snv"].id)
    assert [(g["role"], g["unit_id"]) for g in body["roles"]] == [("hr", str(org.units["snv"].id))]
    assert body["active"] is True
    assert body["locked_until"] is None
    assert created.headers["Location"] == f"/api/v1/users/{body['id']}"
    assert created.headers["ETag"]
    assert "password" not in created.text  # neither the password nor its hash comes back
    signed_in = _sign_in(client, "nv.hoa")
    assert signed_in.status_code == 200
    me = client.get(
        "/api/v1/auth/me",
        headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"},
    )
    assert me.json()["grants"] == [{"role": "hr", "unit_id": str(org.units["snv"].id)}]
    [entry] = _audit(session, "user.created")
    assert entry.actor == "user:admin"
    assert entry.data["username"] == "nv.hoa"
    assert NEW_PASSWORD not in str(entry.data)
    stored = session.get(User, uuid.UUID(body["id"]))
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ({"password": "short"}, 422, "weak_password"),
        ({"password_hash": "$argon2id$forged"}, 422, "validation_failed"),
        ({"active": False}, 422, "validation_failed"),
        ({"id": "00000000-0000-0000-0000-000000000001"}, 422, "validation_failed"),
        ({"username": "có dấu"}, 422, "validation_failed"),
    ],
)
def test_bad_or_protected_fields_are_refused(client, as_user, org, extra, status, code):
    response = _create(client, as_user("admin"), org, **extra)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def test_a_taken_username_is_a_conflict(client, as_user, org):
    assert _create(client, as_user("admin"), org).status_code == 201
    again = _create(client, as_user("admin"), org, username="NV.HOA")
    assert again.status_code == 409
    assert again.json()["code"] == "username_taken"


def test_a_unit_admin_creates_and_sees_accounts_of_its_own_units_only(
    client, as_user, org, snv_admin
):
    headers = as_user("admin_snv")
    assert _create(client, headers, org, username="a", unit="snv_vp").status_code == 201
    # Another agency: neither as the account's unit nor as a role's unit.
    outside = _create(client, headers, org, username="b", unit="stp", roles=())
    assert outside.status_code == 404
    assert outside.json()["code"] == "unit_not_found"
    smuggled = _create(client, headers, org, username="c", roles=(("admin", "root"),))
    assert smuggled.status_code == 404
    theirs = _create(client, as_user("admin"), org, username="d", unit="stp", roles=())
    assert client.get(f"/api/v1/users/{theirs.json()['id']}", headers=headers).status_code == 404
    listed = client.get("/api/v1/users", headers=headers).json()
    assert sorted(u["username"] for u in listed["items"]) == ["a", "admin_snv"]
    assert listed["total"] == 2


def test_lists_filter_and_page(client, as_user, org):
    headers = as_user("admin")
    for name, unit, role in [("x1", "snv", "hr"), ("x2", "stp", "hr"), ("x3", "stp", "auditor")]:
        assert _create(client, headers, org, username=name, unit=unit, roles=((role, unit),))
    stp = client.get(
        "/api/v1/users", params={"unit_id": str(org.units["stp"].id)}, headers=headers
    ).json()
    assert [u["username"] for u in stp["items"]] == ["x2", "x3"]
    auditors = client.get("/api/v1/users", params={"role": "auditor", "q": "x"}, headers=headers)
    assert [u["username"] for u in auditors.json()["items"]] == ["x3"]
    page = client.get(
        "/api/v1/users", params={"q": "x", "limit": 2, "offset": 1}, headers=headers
    ).json()
    assert page["total"] == 3
    assert [u["username"] for u in page["items"]] == ["x2", "x3"]
    # The fixture accounts belong to no unit: an administrator over every root sees them.
    everyone = client.get("/api/v1/users", params={"limit": 500}, headers=headers).json()
    assert {"admin", "hr", "counter", "auditor"} <= {u["username"] for u in everyone["items"]}
    assert client.get("/api/v1/users", headers=as_user("auditor")).status_code == 200
    assert client.get("/api/v1/users", headers=as_user("hr")).status_code == 403


def test_changes_need_the_current_etag(client, as_user, org, session):
    headers = as_user("admin")
    created = _create(client, headers, org)
    user_id, etag = created.json()["id"], created.headers["ETag"]
    url = f"/api/v1/users/{user_id}"
    missing = client.patch(url, json={"display_name": "Hoa"}, headers=headers)
    assert missing.status_code == 428
    changed = client.patch(url, json={"display_name": "Hoa"}, headers={**headers, "If-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["display_name"] == "Hoa"
    assert changed.headers["ETag"] != etag
    stale = client.post(f"{url}/disable", headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    protected = _change(client, headers, user_id, "PATCH", json={"password_hash": "x"})
    assert protected.status_code == 422
    [entry] = _audit(session, "user.updated")
    assert entry.data["changes"] == {"display_name": ["Nguyễn Thị Hoa", "Hoa"]}


def test_roles_are_granted_only_inside_the_granters_units(client, as_user, org, snv_admin, session):
    headers = as_user("admin_snv")
    user_id = _create(client, headers, org).json()["id"]
    granted = _change(
        client,
        headers,
        user_id,
        "POST",
        "/roles",
        {"role": "counter_staff", "unit_id": str(org.units["snv_vp"].id)},
    )
    assert granted.status_code == 200, granted.text
    assert {g["role"] for g in granted.json()["roles"]} == {"hr", "counter_staff"}
    above = _change(
        client,
        headers,
        user_id,
        "POST",
        "/roles",
        {"role": "admin", "unit_id": str(org.units["root"].id)},
    )
    assert above.status_code == 404
    beside = _change(
        client,
        headers,
        user_id,
        "POST",
        "/roles",
        {"role": "hr", "unit_id": str(org.units["stp"].id)},
    )
    assert beside.status_code == 404
    grant = next(g for g in granted.json()["roles"] if g["role"] == "counter_staff")
    revoked = _change(client, headers, user_id, "DELETE", f"/roles/{grant['id']}")
    assert revoked.status_code == 200
    assert [g["role"] for g in revoked.json()["roles"]] == ["hr"]
    again = _change(client, headers, user_id, "DELETE", f"/roles/{grant['id']}")
    assert again.status_code == 404
    assert again.json()["code"] == "role_grant_not_found"
    [given] = _audit(session, "user.role_granted")
    assert given.data["role"] == "counter_staff"
    assert given.actor == "user:admin_snv"
    [taken] = _audit(session, "user.role_revoked")
    assert taken.data["grant_id"] == grant["id"]


def test_an_account_holding_more_than_the_admin_cannot_be_changed_by_them(
    client, as_user, org, snv_admin, session, password_hash
):
    """An SNV account that is also an administrator of STP: resetting its password
    would hand STP to the SNV administrator."""
    add_user(
        session,
        org,
        "two_hats",
        password_hash,
        [(Role.HR, "snv"), (Role.ADMIN, "stp")],
        "snv",
    )
    user_id = org.users["two_hats"].id
    headers = as_user("admin_snv")
    assert client.get(f"/api/v1/users/{user_id}", headers=headers).status_code == 200
    for method, suffix, body in [
        ("POST", "/password", {"password": NEW_PASSWORD}),
        ("POST", "/disable", None),
        ("POST", "/roles", {"role": "auditor", "unit_id": str(org.units["snv"].id)}),
        ("PATCH", "", {"unit_id": str(org.units["snv_vp"].id)}),
    ]:
        refused = _change(client, headers, user_id, method, suffix, body)
        assert refused.status_code == 403, (suffix, refused.text)
        assert refused.json()["code"] == "user_beyond_scope"
    # The root administrator holds both units and may.
    assert _change(client, as_user("admin"), user_id, "POST", "/disable").status_code == 200


def test_administrators_do_not_change_their_own_account_here(client, as_user, org, snv_admin):
    headers = as_user("admin_snv")
    own = snv_admin.id
    for method, suffix, body in [
        ("POST", "/disable", None),
        ("POST", "/password", {"password": NEW_PASSWORD}),
        ("POST", "/roles", {"role": "admin", "unit_id": str(org.units["snv"].id)}),
    ]:
        response = _change(client, headers, own, method, suffix, body)
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "own_account"
    renamed = _change(client, headers, own, "PATCH", json={"display_name": "Quản trị SNV"})
    assert renamed.status_code == 200


def test_disabling_ends_every_sign_in_and_enabling_restores_the_account(
    client, as_user, org, session
):
    headers = as_user("admin")
    user_id = _create(client, headers, org).json()["id"]
    tokens = _sign_in(client, "nv.hoa").json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    disabled = _change(client, headers, user_id, "POST", "/disable")
    assert disabled.status_code == 200
    assert disabled.json()["active"] is False
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    assert _sign_in(client, "nv.hoa").status_code == 401
    [entry] = _audit(session, "user.disabled")
    assert entry.data["refresh_tokens_revoked"] == 1
    enabled = _change(client, headers, user_id, "POST", "/enable")
    assert enabled.json()["active"] is True
    assert _sign_in(client, "nv.hoa").status_code == 200
    # The revoked refresh token stays revoked.
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    assert len(_audit(session, "user.enabled")) == 1


def test_a_password_reset_ends_sign_ins_and_lifts_a_lock_out(client, as_user, org, session):
    headers = as_user("admin")
    user_id = _create(client, headers, org).json()["id"]
    old_refresh = _sign_in(client, "nv.hoa").json()["refresh_token"]
    for _ in range(5):
        _sign_in(client, "nv.hoa", "wrong password")
    assert _sign_in(client, "nv.hoa").status_code == 423
    locked = client.get(f"/api/v1/users/{user_id}", headers=headers).json()
    assert locked["locked_until"] is not None
    weak = _change(client, headers, user_id, "POST", "/password", {"password": "short"})
    assert weak.status_code == 422
    assert weak.json()["code"] == "weak_password"
    reset = _change(
        client, headers, user_id, "POST", "/password", {"password": "another long password"}
    )
    assert reset.status_code == 200
    assert reset.json()["locked_until"] is None
    assert _sign_in(client, "nv.hoa").status_code == 401  # the old password
    assert _sign_in(client, "nv.hoa", "another long password").status_code == 200
    assert (
        client.post("/api/v1/auth/refresh", json={"refresh_token": old_refresh}).status_code == 401
    )
    [entry] = _audit(session, "user.password_reset")
    assert "another long password" not in str(entry.data)
    assert entry.data["refresh_tokens_revoked"] == 1
