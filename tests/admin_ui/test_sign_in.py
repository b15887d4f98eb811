"""Signing in and out through the form: cookies, lock-out messages, CSRF on the form."""

from __future__ import annotations

from tests.admin_ui.conftest import csrf_of, sign_in
from tests.card_service.conftest import PASSWORD


def test_pages_need_a_session(anonymous):
    response = anonymous.get("/admin/holders")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/sign-in?next=")


def test_sign_in_sets_an_http_only_strict_cookie_and_opens_the_dashboard(anonymous):
    response = sign_in(anonymous, "admin")
    cookie = response.headers["set-cookie"]
    assert "ecard_console=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    page = anonymous.get("/admin/")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Tổng quan" in page.text  # Vietnamese unless the person chooses English


def test_sign_out_revokes_the_session_everywhere(as_admin):
    old_cookie = as_admin.cookies.get("ecard_console")
    token = csrf_of(as_admin.get("/admin/").text)
    response = as_admin.post("/admin/sign-out", data={"csrf_token": token})
    assert response.status_code == 303
    as_admin.cookies.set("ecard_console", old_cookie, path="/admin")
    assert as_admin.get("/admin/").status_code == 303  # the old id no longer works


def test_an_idle_session_expires(as_admin, clock):
    assert as_admin.get("/admin/").status_code == 200
    clock.advance(minutes=31)
    assert as_admin.get("/admin/").status_code == 303


def test_wrong_passwords_then_the_lock_out_message(anonymous):
    for _ in range(5):
        page = anonymous.get("/admin/sign-in")
        response = anonymous.post(
            "/admin/sign-in",
            data={"username": "hr", "password": "wrong", "csrf_token": csrf_of(page.text)},
        )
        assert response.status_code == 200
        assert "Sai tên đăng nhập hoặc mật khẩu." in response.text
    page = anonymous.get("/admin/sign-in")
    locked = anonymous.post(
        "/admin/sign-in",
        data={"username": "hr", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert "tài khoản tạm bị khoá" in locked.text
    assert "ecard_console=" not in locked.headers.get("set-cookie", "")


def test_the_sign_in_form_needs_its_csrf_token(anonymous):
    anonymous.get("/admin/sign-in")
    response = anonymous.post(
        "/admin/sign-in", data={"username": "admin", "password": PASSWORD, "csrf_token": "x"}
    )
    assert response.status_code == 200
    assert "ecard_console=" not in response.headers.get("set-cookie", "")


def test_next_never_leaves_the_console(anonymous):
    page = anonymous.get("/admin/sign-in?next=https://evil.example/")
    response = anonymous.post(
        "/admin/sign-in",
        data={
            "username": "admin",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/admin/"


def test_the_language_switch_sets_english(as_admin):
    token = csrf_of(as_admin.get("/admin/").text)
    response = as_admin.post(
        "/admin/language", data={"csrf_token": token, "language": "en", "next": "/admin/cards"}
    )
    assert response.headers["location"] == "/admin/cards"
    page = as_admin.get("/admin/cards")
    assert '<html lang="en">' in page.text
    assert "Look up" in page.text
    assert as_admin.post("/admin/language", data={"language": "vi"}).status_code == 403
