"""Pages for what went wrong, in the person's language (never a traceback)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_ui.errors import CsrfRefused, FormRejected, NotAllowed, SignInRequired
from admin_ui.i18n import N_
from admin_ui.rendering import Renderer
from card_service.errors import CardServiceError

logger = logging.getLogger(__name__)

Handler = Callable[[Request, Any], Awaitable[Response]]
_NOT_FOUND = 404
_SERVER_ERROR = 500
_TITLES = {
    400: N_("This address is not valid"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    409: N_("Conflict"),
    413: N_("Too large"),
    500: N_("Something went wrong"),
}


def is_console_path(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


def _renderer(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.console.renderer
    return renderer


def error_page(request: Request, status: int, message: str) -> Response:
    title = _TITLES.get(status, _TITLES[_SERVER_ERROR])
    return _renderer(request).page(
        request,
        "error.html",
        {"title": title, "message": message, "status": status},
        status=status,
    )


def page_for_exception(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RequestValidationError):
        return error_page(request, _NOT_FOUND, N_("The page you asked for does not exist."))
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == _NOT_FOUND:
            return error_page(request, _NOT_FOUND, N_("The page you asked for does not exist."))
        return error_page(request, exc.status_code, N_("The request could not be handled."))
    if isinstance(exc, CardServiceError):
        if exc.status == _NOT_FOUND:
            # Out-of-scope objects look exactly like missing ones, as in the API.
            return error_page(request, _NOT_FOUND, N_("It does not exist, or not in your units."))
        return error_page(request, exc.status, N_("The service refused this request."))
    logger.error("console error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, _SERVER_ERROR, N_("An unexpected error occurred; it is logged."))


async def _sign_in_required(request: Request, _: SignInRequired) -> Response:
    target = "/admin/sign-in"
    if request.method == "GET":
        target += "?next=" + quote(
            request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe=""
        )
    if request.headers.get("HX-Request"):
        # htmx follows HX-Redirect with a full page load (a 3xx would load the sign-in
        # page into the fragment's place).
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _not_allowed(request: Request, _: NotAllowed) -> Response:
    return error_page(request, 403, N_("Your role does not allow this page or action."))


async def _csrf_refused(request: Request, _: CsrfRefused) -> Response:
    return error_page(
        request,
        403,
        N_(
            "This form was not sent from this console (or is too old); nothing was changed. "
            "Reload the page and try again."
        ),
    )


async def _form_rejected(_: Request, exc: FormRejected) -> Response:
    return exc.response


def console_error_handlers() -> dict[type[Exception], Handler]:
    return {
        SignInRequired: _sign_in_required,
        NotAllowed: _not_allowed,
        CsrfRefused: _csrf_refused,
        FormRejected: _form_rejected,
    }
