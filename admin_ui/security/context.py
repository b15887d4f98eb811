"""FastAPI dependencies: who is signed in, whether their roles allow a page, and the
CSRF check every POST passes before it may change anything."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from admin_ui.errors import CsrfRefused, NotAllowed, SignInRequired
from admin_ui.permissions import Permissions, Roles
from admin_ui.security import csrf
from admin_ui.security.sessions import SESSION_COOKIE
from card_service.auth.browser_sessions import find_browser_session
from card_service.auth.principal import Principal, active_principal
from card_service.clock import Now
from card_service.db.session import DbSession


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as the console sees them."""

    principal: Principal
    display_name: str
    session_secret: str
    can: Permissions

    @property
    def csrf_token(self) -> str:
        return csrf.token_for(self.session_secret)

    def may(self, roles: Roles) -> bool:
        return self.principal.has_any(roles)


def current_viewer(request: Request, session: DbSession, now: Now) -> Viewer:
    secret = request.cookies.get(SESSION_COOKIE)
    row = find_browser_session(session, secret, now=now)
    if row is None or secret is None:
        raise SignInRequired
    # Loaded on every request, like the API does: a deactivated account or a removed
    # role takes effect at once, not when the session expires.
    principal = active_principal(session, row.user_id)
    if principal is None:
        raise SignInRequired
    viewer = Viewer(
        principal=principal,
        display_name=row.display_name,
        session_secret=secret,
        can=Permissions.of(principal),
    )
    request.state.viewer = viewer
    return viewer


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


async def read_form(request: Request) -> AsyncIterator[FormData]:
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()  # uploaded files are spooled to temporary files


PostedForm = Annotated[FormData, Depends(read_form)]


def allowed(roles: Roles) -> Callable[[Viewer], Viewer]:
    """A page dependency: signed in, holding one of ``roles``."""

    def check(viewer: CurrentViewer) -> Viewer:
        if not viewer.may(roles):
            raise NotAllowed
        return viewer

    return check


def acting(roles: Roles) -> Callable[[Request, Viewer, FormData], Viewer]:
    """An action dependency: signed in, holding one of ``roles``, with this session's
    CSRF token in the form (or, for htmx, in the header). Anything else is a 403 before
    the action runs."""

    def check(request: Request, viewer: CurrentViewer, form: PostedForm) -> Viewer:
        if not viewer.may(roles):
            raise NotAllowed
        presented = form.get(csrf.FORM_FIELD) or request.headers.get(csrf.HEADER)
        if not isinstance(presented, str) or not csrf.token_matches(
            viewer.session_secret, presented
        ):
            raise CsrfRefused
        return viewer

    return check
