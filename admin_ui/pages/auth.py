"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from admin_ui.console import ConsoleState
from admin_ui.errors import CsrfRefused
from admin_ui.forms import text
from admin_ui.i18n import LANGUAGE_COOKIE, LOCALES, N_, Msg
from admin_ui.security import csrf
from admin_ui.security.context import PostedForm, Viewer, acting
from admin_ui.security.sessions import PRESESSION_COOKIE, SESSION_COOKIE
from card_service.auth.browser_sessions import (
    ABSOLUTE_LIFETIME,
    create_browser_session,
    find_browser_session,
    new_token,
    revoke_browser_session,
)
from card_service.auth.context import AuthContext
from card_service.auth.schemas import Role
from card_service.auth.signin import authenticate
from card_service.clock import Now
from card_service.db.session import DbSession

router = APIRouter()
ANYONE_SIGNED_IN = tuple(Role)
COOKIE_PATH = "/admin"
_PRESESSION_SECONDS = 3600
_LANGUAGE_SECONDS = 365 * 24 * 3600
_USERNAME_MAX = 64
_PASSWORD_MAX = 1024


def safe_next(target: str) -> str:
    """Only a path inside the console: never another site (an open redirect)."""
    if target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin/"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _sign_in_page(
    request: Request,
    console: ConsoleState,
    *,
    next_path: str,
    username: str = "",
    error: Msg | None = None,
) -> Response:
    secret = request.cookies.get(PRESESSION_COOKIE) or new_token()
    request.state.csrf_token = csrf.token_for(secret)
    lockout = request.app.state.auth.lockout
    response = console.renderer.page(
        request,
        "sign_in.html",
        {
            "next_path": next_path,
            "username": username,
            "error": error,
            "section": "sign-in",
            "lockout_failures": lockout.max_failures,
            "lockout_minutes": int(lockout.lockout.total_seconds() // 60),
        },
    )
    response.set_cookie(
        PRESESSION_COOKIE,
        secret,
        max_age=_PRESESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.get("/sign-in")
def sign_in_form(
    request: Request, console: ConsoleState, session: DbSession, now: Now, next: str = "/admin/"
) -> Response:
    if find_browser_session(session, request.cookies.get(SESSION_COOKIE), now=now) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _sign_in_page(request, console, next_path=safe_next(next))


@router.post("/sign-in")
def sign_in(
    request: Request, console: ConsoleState, form: PostedForm, session: DbSession, now: Now
) -> Response:
    """Failures return a page (never raise), so the request's transaction commits the
    failure count that drives the lock-out."""
    next_path = safe_next(text(form, "next") or "/admin/")
    username = text(form, "username")[:_USERNAME_MAX]
    password = form.get("password")
    presented = form.get(csrf.FORM_FIELD)
    if not csrf.token_matches(
        request.cookies.get(PRESESSION_COOKIE), presented if isinstance(presented, str) else None
    ):
        return _sign_in_page(
            request,
            console,
            next_path=next_path,
            username=username,
            error=Msg(N_("The sign-in form had expired; please sign in again.")),
        )
    if not username or not isinstance(password, str) or not password:
        return _sign_in_page(
            request,
            console,
            next_path=next_path,
            username=username,
            error=Msg(N_("Enter your username and password.")),
        )
    auth: AuthContext = request.app.state.auth
    client = request.client.host if request.client else "unknown"
    if not auth.limiter.allow(client, now=now):
        return _sign_in_page(
            request,
            console,
            next_path=next_path,
            username=username,
            error=Msg(N_("Too many sign-in attempts from this device; wait a minute.")),
        )
    outcome = authenticate(
        session, username, password[:_PASSWORD_MAX], now=now, policy=auth.lockout
    )
    if outcome.user is None:
        error = outcome.error
        if error is not None and error.code == "account_locked":
            locked_until = datetime.fromisoformat(str(error.extra.get("locked_until")))
            minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
            message = Msg(
                N_(
                    "Too many wrong passwords: this account is locked. Try again in about "
                    "%(minutes)s minutes, or ask an administrator."
                ),
                {"minutes": minutes},
            )
        else:
            message = Msg(N_("Wrong username or password."))
        return _sign_in_page(
            request, console, next_path=next_path, username=username, error=message
        )
    token = create_browser_session(
        session, user_id=outcome.user.id, display_name=outcome.user.display_name, now=now
    )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ABSOLUTE_LIFETIME.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(PRESESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/sign-out")
def sign_out(
    request: Request,
    session: DbSession,
    now: Now,
    viewer: Annotated[Viewer, Depends(acting(ANYONE_SIGNED_IN))],
) -> Response:
    revoke_browser_session(session, viewer.session_secret, now=now)
    response = RedirectResponse("/admin/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/language")
def choose_language(request: Request, form: PostedForm) -> Response:
    presented = form.get(csrf.FORM_FIELD)
    token = presented if isinstance(presented, str) else None
    if not (
        csrf.token_matches(request.cookies.get(SESSION_COOKIE), token)
        or csrf.token_matches(request.cookies.get(PRESESSION_COOKIE), token)
    ):
        raise CsrfRefused
    language = text(form, "language")
    response = RedirectResponse(safe_next(text(form, "next")), status_code=303)
    if language in LOCALES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=_LANGUAGE_SECONDS,
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
        )
    return response
