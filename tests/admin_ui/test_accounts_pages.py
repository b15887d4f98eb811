"""Accounts in the console: administrators list, create, disable, reset and re-role
accounts through the service the API uses; auditors read; every form refuses bad input
next to the field and saves nothing; everyone changes their own password."""

from __future__ import annotations

from sqlalchemy import func, select

from card_service.audit.models import AuditEntry
from card_service.auth.models import SignInFailure
from card_service.users.models import Role, User
from tests.admin_ui.conftest import csrf_of, sign_in
from tests.card_service.conftest import PASSWORD
from tests.card_service.scoped_users import add_user

INITIAL = "mật khẩu ban đầu 2026"
NEW = "mật khẩu mới của tôi 2026"


def _count(session):
    return session.scalar(select(func.count()).select_from(User))


def _audit(session, action):
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _create(client, org, **fields):
    page = client.get("/admin/accounts/new")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_of(page.text),
        "username": "nv.lan",
        "display_name": "Trần Thị Lan",
        "unit_id": str(org.units["snv"].id),
        "role": "hr",
        "password": INITIAL,
        "password_confirm": INITIAL,
    }
    data.update(fields)
    return client.post("/admin/accounts/new", data=data)


def _post_on_page(client, account_url, action, **fields):
    page = client.get(account_url)
    version = page.text.split('name="version" value="')[1].split('"')[0]
    data = {"csrf_token": csrf_of(page.text), "version": version, **fields}
    return client.post(f"{account_url}/{action}", data=data)


def test_an_admin_creates_an_account_that_signs_in(as_admin, make_client, org, session):
    created = _create(as_admin, org)
    assert created.status_code == 303, created.text
    account_url = created.headers["location"].split("?")[0]
    page = as_admin.get(created.headers["location"])
    assert "Trần Thị Lan" in page.text
    assert "Cán bộ tổ chức" in page.text
    listed = as_admin.get("/admin/accounts", params={"q": "lan", "role": "hr"})
    assert f'href="{account_url}"' in listed.text
    assert (
        f'href="{account_url}"'
        not in as_admin.get("/admin/accounts", params={"role": "auditor"}).text
    )
    [entry] = _audit(session, "user.created")
    assert entry.actor == "user:admin"
    new_user = make_client(None)
    sign_in(new_user, "nv.lan", INITIAL)
    assert new_user.get("/admin/holders").status_code == 200


def test_bad_input_is_refused_next_to_each_field_and_nothing_is_saved(as_admin, org, session):
    before = _count(session)
    refused = _create(
        as_admin,
        org,
        username="bad name!",
        display_name="",
        role="emperor",
        password="short",
        password_confirm="other",
    )
    assert refused.status_code == 200
    for name in ("username", "display_name", "role", "password", "password_confirm"):
        assert f'id="e-{name}"' in refused.text, name
    assert "Trần Thị Lan" not in refused.text  # display name was empty
    assert INITIAL not in refused.text
    assert _count(session) == before
    assert _create(as_admin, org, password_confirm="not the same one").status_code == 200
    assert _count(session) == before


def test_a_taken_username_or_a_foreign_unit_is_refused_on_its_field(
    as_admin, make_client, org, session
):
    assert _create(as_admin, org).status_code == 303
    before = _count(session)
    again = _create(as_admin, org, display_name="Người Khác")
    assert 'id="e-username"' in again.text
    assert _count(session) == before
    # An administrator of Sở Nội vụ cannot place an account at Sở Tư pháp.
    add_user(
        session, org, "admin_snv", org.users["admin"].password_hash, [(Role.ADMIN, "snv")], "snv"
    )
    scoped = make_client("admin_snv")
    before = _count(session)
    foreign = _create(scoped, org, username="nv.khac", unit_id=str(org.units["stp"].id))
    assert foreign.status_code == 200
    assert 'id="e-unit_id"' in foreign.text
    assert _count(session) == before


def test_disable_enable_reset_and_roles(as_admin, make_client, org, session):
    account_url = _create(as_admin, org).headers["location"].split("?")[0]
    assert _post_on_page(as_admin, account_url, "disable", confirm="yes").status_code == 303
    assert "Đã vô hiệu hoá" in as_admin.get(account_url).text
    assert _audit(session, "user.disabled")
    assert _post_on_page(as_admin, account_url, "enable").status_code == 303
    assert _audit(session, "user.enabled")

    weak = _post_on_page(
        as_admin, account_url, "password", password="short", password_confirm="short"
    )
    assert weak.status_code == 200
    assert 'id="e-password"' in weak.text
    assert _audit(session, "user.password_reset") == []
    reset = _post_on_page(as_admin, account_url, "password", password=NEW, password_confirm=NEW)
    assert reset.status_code == 303
    assert len(_audit(session, "user.password_reset")) == 1
    person = make_client(None)
    sign_in(person, "nv.lan", NEW)

    granted = _post_on_page(
        as_admin, account_url, "roles", role="auditor", unit_id=str(org.units["stp"].id)
    )
    assert granted.status_code == 303
    [grant] = _audit(session, "user.role_granted")
    bad_grant = _post_on_page(as_admin, account_url, "roles", role="", unit_id="nonsense")
    assert bad_grant.status_code == 200
    assert 'id="e-role"' in bad_grant.text
    assert 'id="e-unit_id"' in bad_grant.text
    removed = _post_on_page(as_admin, account_url, f"roles/{grant.data['grant_id']}/remove")
    assert removed.status_code == 303
    assert len(_audit(session, "user.role_revoked")) == 1


def test_a_stale_form_saves_nothing(as_admin, org, session):
    account_url = _create(as_admin, org).headers["location"].split("?")[0]
    page = as_admin.get(account_url)
    token = csrf_of(page.text)
    assert _post_on_page(as_admin, account_url, "disable", confirm="yes").status_code == 303
    stale = as_admin.post(f"{account_url}/enable", data={"csrf_token": token, "version": "1"})
    assert stale.status_code == 200
    assert _audit(session, "user.enabled") == []


def test_an_admin_cannot_change_their_own_account_here(as_admin, org):
    own = f"/admin/accounts/{org.users['admin'].id}"
    page = as_admin.get(own)
    assert page.status_code == 200
    assert f"{own}/disable" not in page.text
    refused = as_admin.post(
        f"{own}/disable",
        data={
            "csrf_token": csrf_of(page.text),
            "version": str(org.users["admin"].version),
            "confirm": "yes",
        },
    )
    assert refused.status_code == 200
    assert "Việc này với tài khoản của chính bạn" in refused.text  # own_account, in words
    assert org.users["admin"].active


def test_auditors_read_and_others_do_not_see_accounts(
    as_admin, as_auditor, as_hr, as_counter, org, session
):
    account_url = _create(as_admin, org).headers["location"].split("?")[0]
    assert 'href="/admin/accounts"' in as_admin.get("/admin/").text
    assert 'href="/admin/accounts"' in as_auditor.get("/admin/").text
    listed = as_auditor.get("/admin/accounts")
    assert listed.status_code == 200
    assert "/admin/accounts/new" not in listed.text
    page = as_auditor.get(account_url)
    assert page.status_code == 200
    assert "/disable" not in page.text
    assert "/password" not in page.text.replace("/admin/account/password", "")
    assert as_auditor.get("/admin/accounts/new").status_code == 403
    forged = as_auditor.post(
        f"{account_url}/disable", data={"csrf_token": csrf_of(page.text), "version": "1"}
    )
    assert forged.status_code == 403
    for client in (as_hr, as_counter):
        assert 'href="/admin/accounts"' not in client.get("/admin/").text
        assert client.get("/admin/accounts").status_code == 403
    # Without the CSRF token nothing runs either.
    assert as_admin.post(f"{account_url}/disable", data={"version": "1"}).status_code == 403
    assert _audit(session, "user.disabled") == []


def test_everyone_changes_their_own_password(as_hr, make_client, org, session):
    home = as_hr.get("/admin/")
    assert 'href="/admin/account/password"' in home.text
    other_browser = make_client("hr")
    form = as_hr.get("/admin/account/password")
    assert form.status_code == 200
    changed = as_hr.post(
        "/admin/account/password",
        data={
            "csrf_token": csrf_of(form.text),
            "current_password": PASSWORD,
            "new_password": NEW,
            "new_password_confirm": NEW,
        },
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == "/admin/?notice=password_changed"
    assert as_hr.get("/admin/").status_code == 200  # this browser stays signed in
    assert other_browser.get("/admin/").status_code == 303  # the other one is signed out
    [entry] = _audit(session, "user.password_changed")
    assert entry.actor == "user:hr"
    fresh = make_client(None)
    sign_in(fresh, "hr", NEW)


def test_a_wrong_current_password_is_refused_and_counted(as_hr, org, session):
    form = as_hr.get("/admin/account/password")
    data = {
        "csrf_token": csrf_of(form.text),
        "current_password": "not my password",
        "new_password": NEW,
        "new_password_confirm": NEW,
    }
    refused = as_hr.post("/admin/account/password", data=data)
    assert refused.status_code == 200
    assert 'id="e-current_password"' in refused.text
    assert session.scalar(select(func.count()).select_from(SignInFailure)) == 1  # committed
    for _ in range(4):
        as_hr.post("/admin/account/password", data=data)
    locked = as_hr.post("/admin/account/password", data={**data, "current_password": PASSWORD})
    assert 'id="e-current_password"' in locked.text
    assert _audit(session, "user.password_changed") == []


def test_a_weak_or_mismatched_new_password_is_refused(as_hr, org, session):
    form = as_hr.get("/admin/account/password")
    token = csrf_of(form.text)
    weak = as_hr.post(
        "/admin/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "short",
            "new_password_confirm": "different",
        },
    )
    assert weak.status_code == 200
    assert 'id="e-new_password"' in weak.text
    assert 'id="e-new_password_confirm"' in weak.text
    assert (
        as_hr.post("/admin/account/password", data={"current_password": PASSWORD}).status_code
        == 403
    )
    assert _audit(session, "user.password_changed") == []
    assert session.scalar(select(func.count()).select_from(SignInFailure)) == 0


def _own_password_form(client, current, new, confirm=None):
    form = client.get("/admin/account/password")
    data = {
        "csrf_token": csrf_of(form.text),
        "current_password": current,
        "new_password": new,
        "new_password_confirm": new if confirm is None else confirm,
    }
    return client.post("/admin/account/password", data=data)


def test_the_current_password_again_is_refused_next_to_the_new_one(as_hr, org, session):
    refused = _own_password_form(as_hr, PASSWORD, PASSWORD)
    assert refused.status_code == 200
    assert 'id="e-new_password"' in refused.text
    assert "Mật khẩu mới phải khác mật khẩu hiện tại." in refused.text
    assert _audit(session, "user.password_changed") == []
    assert session.scalar(select(func.count()).select_from(SignInFailure)) == 0


def test_password_attempts_share_the_sign_in_limit_per_address(
    as_hr, make_client, org, session, auth_context
):
    # as_hr's own sign-in was the first attempt from this address.
    object.__setattr__(auth_context.limiter, "_limit", 3)
    for _ in range(2):
        wrong = _own_password_form(as_hr, "not my password", NEW)
        assert 'id="e-current_password"' in wrong.text
    throttled = _own_password_form(as_hr, PASSWORD, NEW)
    assert throttled.status_code == 200
    assert "Thiết bị này đã thử mật khẩu quá nhiều lần" in throttled.text
    assert _audit(session, "user.password_changed") == []
    assert session.scalar(select(SignInFailure.failures)) == 2  # the refused one counted nothing
    # The sign-in page counts on the same limit.
    other = make_client(None)
    page = other.get("/admin/sign-in")
    refused = other.post(
        "/admin/sign-in",
        data={"username": "hr", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 200
    assert "Thiết bị này đăng nhập sai quá nhiều lần" in refused.text


def test_disabling_asks_for_a_confirmation_first(as_admin, make_client, org, session):
    account_url = _create(as_admin, org).headers["location"].split("?")[0]
    person = make_client(None)
    sign_in(person, "nv.lan", INITIAL)
    asked = _post_on_page(as_admin, account_url, "disable")
    assert asked.status_code == 200
    assert 'role="alertdialog"' in asked.text
    assert 'name="confirm" value="yes"' in asked.text
    assert f'href="{account_url}"' in asked.text  # "No, go back"
    assert _audit(session, "user.disabled") == []
    assert person.get("/admin/").status_code == 200  # nothing happened yet
    # The confirmation form carries the CSRF token and the version: posting it disables.
    confirmed = as_admin.post(
        f"{account_url}/disable",
        data={
            "csrf_token": csrf_of(asked.text),
            "version": asked.text.split('name="version" value="')[1].split('"')[0],
            "confirm": "yes",
        },
    )
    assert confirmed.status_code == 303
    assert len(_audit(session, "user.disabled")) == 1
    assert person.get("/admin/").status_code == 303  # signed out


def test_a_confirmation_of_an_account_changed_meanwhile_saves_nothing(as_admin, org, session):
    account_url = _create(as_admin, org).headers["location"].split("?")[0]
    asked = _post_on_page(as_admin, account_url, "disable")
    version = asked.text.split('name="version" value="')[1].split('"')[0]
    granted = _post_on_page(
        as_admin, account_url, "roles", role="auditor", unit_id=str(org.units["stp"].id)
    )
    assert granted.status_code == 303
    stale = as_admin.post(
        f"{account_url}/disable",
        data={"csrf_token": csrf_of(asked.text), "version": version, "confirm": "yes"},
    )
    assert stale.status_code == 200
    assert _audit(session, "user.disabled") == []
