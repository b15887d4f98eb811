"""Live taps as server-sent events, fed by the one shared poller (admin_ui.live)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response, StreamingResponse

from admin_ui.console import ConsoleState
from admin_ui.formatting import local_time
from admin_ui.live import LiveTaps
from admin_ui.permissions import EVENTS_READ
from admin_ui.ports import TapView
from admin_ui.security.context import Viewer, allowed
from card_service.errors import NotFoundError

router = APIRouter(prefix="/events")
Watcher = Annotated[Viewer, Depends(allowed(EVENTS_READ))]
KEEPALIVE_SECONDS = 15.0


@router.get("")
def live_page(request: Request, console: ConsoleState, viewer: Watcher) -> Response:
    return console.renderer.page(
        request, "events.html", {"section": "events", "available": console.live is not None}
    )


def _as_json(view: TapView) -> dict[str, str | None]:
    return {
        "time": local_time(view.occurred_at).strftime("%H:%M:%S"),
        "reader": view.reader_name,
        "holder": view.holder_name,
        "card": view.card_serial,
        "decision": view.decision,
        "reason": view.reason,
    }


@router.get("/stream")
def stream(console: ConsoleState, viewer: Watcher) -> Response:
    """text/event-stream of the taps in the viewer's units. The session and roles are
    checked once, when the stream opens (a short transaction, then none)."""
    if console.live is None:
        raise NotFoundError("tap events are not available")
    principal = viewer.principal
    return StreamingResponse(
        _events(console.live, lambda view: principal.can_reach(view.site_path, EVENTS_READ)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(live: LiveTaps, visible: Callable[[TapView], bool]) -> AsyncIterator[str]:
    subscription = live.subscribe()
    pending: asyncio.Task[list[TapView]] | None = None
    try:
        yield ": connected\n\n"
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(subscription))
            done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_SECONDS)
            if not done:
                yield ": keep-alive\n\n"  # a comment line keeps proxies from closing it
                continue
            batch, pending = pending.result(), None
            taps = [_as_json(view) for view in batch if visible(view)]
            if taps:
                yield f"event: taps\ndata: {json.dumps(taps, ensure_ascii=False)}\n\n"
    finally:
        if pending is not None:
            pending.cancel()
        await subscription.aclose()
