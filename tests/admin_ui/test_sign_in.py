"""Signing in and out through the form: cookies, lock-out messages, CSRF on the form."""

from __future__ import annotations

from tests.admin_ui.conftest import sign_in


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
