"""Mounting the console on the service's FastAPI app (the composition root calls this)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from admin_ui.console import Console
from admin_ui.error_pages import console_error_handlers, is_console_path, page_for_exception
from admin_ui.headers import SecurityHeaders
from admin_ui.jobs import JobRunner
from admin_ui.live import LiveTaps
from admin_ui.pages import router
from admin_ui.ports import TapEventReads, TapView
from admin_ui.rendering import Renderer
from admin_ui.staging import StagedUploads
from card_service.db.engine import Database
from card_service.errors import CardServiceError

PREFIX = "/admin"
STATIC_DIR = Path(__file__).parent / "static"

Handler = Callable[[Request, Any], Awaitable[Response]]


def install(
    app: FastAPI,
    *,
    tap_events: TapEventReads | None = None,
    jobs: JobRunner | None = None,
) -> None:
    """Serve the console under /admin on ``app`` (built by card_service.app.create_app).

    ``tap_events`` feeds the dashboard's tap figures and the live taps page; without it
    they say the service does not offer tap events yet. ``jobs`` runs long operations
    (default: two worker threads)."""
    database: Database = app.state.database
    live = LiveTaps(_loader(database, tap_events)) if tap_events is not None else None
    app.state.console = Console(
        renderer=Renderer(),
        jobs=jobs or JobRunner(),
        staged=StagedUploads(),
        taps=tap_events,
        live=live,
    )
    app.include_router(router, prefix=PREFIX)
    app.add_api_route(PREFIX, _to_dashboard, include_in_schema=False)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="admin-static")
    app.add_middleware(SecurityHeaders, prefix=PREFIX)
    for exc_class, handler in console_error_handlers().items():
        app.add_exception_handler(exc_class, handler)
    # The API's handlers answer problem+json; under /admin a person gets a page instead.
    for exc_class in (
        CardServiceError,
        RequestValidationError,
        StarletteHTTPException,
        Exception,
    ):
        _wrap(app, exc_class)


async def _to_dashboard() -> Response:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


def _wrap(app: FastAPI, exc_class: type[Exception]) -> None:
    # The service registers only coroutine handlers (card_service.problems).
    api_handler = cast(Handler | None, app.exception_handlers.get(exc_class))

    async def handler(request: Request, exc: Any) -> Response:
        if is_console_path(request.url.path) or api_handler is None:
            return page_for_exception(request, exc)
        return await api_handler(request, exc)

    app.add_exception_handler(exc_class, handler)


def _loader(database: Database, taps: TapEventReads) -> Callable[[datetime | None], list[TapView]]:
    def load(after: datetime | None) -> list[TapView]:
        with database.sessions() as session:
            return taps.received_after(session, after=after, limit=200)

    return load
