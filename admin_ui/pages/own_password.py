"""Everyone signed in changes their own password (``/admin/account/password``).

``card_service.auth.password_change`` does the work, as for POST /api/v1/auth/password:
the current password is checked under the sign-in lock-out, the new one meets the
account policy and differs from the current one, every other sign-in ends but this
browser's session. A wrong current password is *returned* as a page, not raised: the
failure count behind the lock-out must be committed, exactly as on the sign-in page.
Each attempt counts against the sign-in page's limit per client address (the same
counter), so alternating the two forms guesses no faster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from admin_ui.console import ConsoleState
from admin_ui.errors import FormRejected
from admin_ui.forms import FORM_LEVEL
from admin_ui.i18n import N_, Msg, gettext_for
from admin_ui.pages.accounts import check_new_password, password_rule, refusal
from admin_ui.permissions import ANYONE_SIGNED_IN
from admin_ui.security.context import PostedForm, Viewer, acting, allowed
from card_service.auth.context import AuthContext
from card_service.auth.password_change import change_own_password
from card_service.clock import Now
from card_service.db.session import DbSession

router = APIRouter(prefix="/account")
Person = Annotated[Viewer, Depends(allowed(ANYONE_SIGNED_IN))]
Acting = Annotated[Viewer, Depends(acting(ANYONE_SIGNED_IN))]
_PASSWORD_MAX = 1024


def _page(request: Request, console: ConsoleState, errors: dict[str, str]) -> Response:
    return console.renderer.page(
        request,
        "accounts/own_password.html",
        {
            "section": "own-password",
            "errors": errors,
            "password_hint": password_rule(gettext_for(request)),
        },
    )


@router.get("/password")
def password_form(request: Request, console: ConsoleState, viewer: Person) -> Response:
    return _page(request, console, {})


@router.post("/password")
def change_password(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Acting,
    form: PostedForm,
) -> Response:
    translations = gettext_for(request)
    current = form.get("current_password")
    new_password, errors = check_new_password(
        form, translations, "new_password", "new_password_confirm"
    )
    if not isinstance(current, str) or not current:
        errors["current_password"] = translations.gettext(N_("This field is required."))
    if errors:
        raise FormRejected(_page(request, console, errors))
    assert isinstance(current, str)  # noqa: S101 - checked just above, for mypy
    auth: AuthContext = request.app.state.auth
    client = request.client.host if request.client else "unknown"
    if not auth.limiter.allow(client, now=now):
        message = N_("Too many password attempts from this device; wait a minute.")
        raise FormRejected(_page(request, console, {FORM_LEVEL: translations.gettext(message)}))
    error = change_own_password(
        session,
        viewer.principal,
        current_password=current[:_PASSWORD_MAX],
        new_password=new_password,
        now=now,
        policy=auth.lockout,
        keep_browser_session=viewer.session_secret,
    )
    if error is None:
        return RedirectResponse("/admin/?notice=password_changed", status_code=303)
    if error.code == "account_locked":
        until = datetime.fromisoformat(str(error.extra.get("locked_until")))
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        message = Msg(
            N_(
                "Too many wrong passwords: this account is locked. Try again in about "
                "%(minutes)s minutes, or ask an administrator."
            ),
            {"minutes": minutes},
        ).render(translations)
        return _page(request, console, {"current_password": message})
    # Returned, not raised: the request commits the failure count of a wrong password.
    return _page(request, console, refusal(error, translations, weak_field="new_password"))
