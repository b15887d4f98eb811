"""Mounting the console on the service's FastAPI app (the composition root calls this)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
from admin_ui.live import BATCH, SETTLE, LiveTaps
from admin_ui.pages import router
from admin_ui.ports import ServiceTapReads, TapCursor, TapEventReads, TapRecord
from admin_ui.rendering import Renderer
from admin_ui.staging import StagedUploads
from card_service.clock import Clock
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

    ``tap_events`` feeds the dashboard's tap figures and the live taps page (default:
    the service's own reads; tests pass a fake). ``jobs`` runs long operations
    (default: two worker threads)."""
    database: Database = app.state.database
    taps = tap_events or ServiceTapReads()
    app.state.console = Console(
        renderer=Renderer(),
        jobs=jobs or JobRunner(),
        staged=StagedUploads(),
        taps=taps,
        live=LiveTaps(_loader(database, taps, app.state.clock)),
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


def _loader(
    database: Database, taps: TapEventReads, clock: Clock
) -> Callable[[TapCursor | None], list[TapRecord]]:
    """What the shared live feed runs in a worker thread: one short read-only session."""

    def load(after: TapCursor | None) -> list[TapRecord]:
        with database.sessions() as session:
            return list(
                taps.feed_after(session, after=after, limit=BATCH, received_before=clock() - SETTLE)
            )

    return load
