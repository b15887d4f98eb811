"""Live taps: the page shows the latest taps in the viewer's units at once, then new
ones arrive as server-sent events from the one shared poller (admin_ui.live)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncGenerator, Callable
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from babel.support import Translations
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response, StreamingResponse

from admin_ui.console import ConsoleState
from admin_ui.formatting import local_time
from admin_ui.i18n import gettext_for
from admin_ui.labels import label
from admin_ui.live import SETTLE, LiveTaps
from admin_ui.permissions import EVENTS_READ
from admin_ui.ports import TapCursor, TapRecord
from admin_ui.security.context import Viewer, allowed
from card_service.clock import Clock, Now
from card_service.db.session import DbSession
from card_service.events.reads import visible_to

router = APIRouter(prefix="/events")
Watcher = Annotated[Viewer, Depends(allowed(EVENTS_READ))]
KEEPALIVE_SECONDS = 15.0
SHOWN_AT_FIRST = 50
_CURSOR_MAX = 128  # longer cursor texts are not ours

TapJson = dict[str, str | None]


def _as_json(tap: TapRecord, translations: Translations, now: datetime) -> TapJson:
    """One tap for the page, in the viewer's language (the script only places text)."""
    when = local_time(tap.occurred_at)
    # A reader that was offline uploads old taps: those carry their date.
    shown = "%H:%M:%S" if when.date() == local_time(now).date() else "%d/%m %H:%M:%S"
    return {
        "time": when.strftime(shown),
        "reader": tap.reader_name,
        "holder": tap.holder_name,
        "card": tap.card_serial,
        "decision": tap.decision,
        "decision_label": translations.gettext(label("decision", tap.decision)),
        "reason": translations.gettext(label("tap_reason", tap.reason)),
        "reason_code": tap.reason,
    }


@router.get("")
def live_page(
    request: Request, console: ConsoleState, session: DbSession, now: Now, viewer: Watcher
) -> Response:
    recent = console.taps.received_after(
        session, viewer.principal, after=None, limit=SHOWN_AT_FIRST
    )
    # The stream goes on from the newest tap shown, so nothing is shown twice or missed.
    cursor = recent[-1].cursor if recent else TapCursor(now - SETTLE, uuid.UUID(int=0))
    translations = gettext_for(request)
    return console.renderer.page(
        request,
        "events.html",
        {
            "section": "events",
            "rows": [_as_json(tap, translations, now) for tap in reversed(recent)],
            "stream_url": f"/admin/events/stream?after={quote(cursor.text)}",
        },
    )


@router.get("/stream")
def stream(request: Request, console: ConsoleState, viewer: Watcher, after: str = "") -> Response:
    """text/event-stream of the taps in the viewer's units after a cursor (the browser's
    Last-Event-ID when it reconnects, else the page's). The session and roles are
    checked once, when the stream opens (a short transaction, then none)."""
    presented = request.headers.get("last-event-id") or after
    cursor = TapCursor.parse(presented) if 0 < len(presented) <= _CURSOR_MAX else None
    principal = viewer.principal
    translations = gettext_for(request)
    clock: Clock = request.app.state.clock
    return StreamingResponse(
        _events(
            console.live,
            cursor,
            visible=lambda tap: visible_to(principal, tap),
            render=lambda tap: _as_json(tap, translations, clock()),
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(
    live: LiveTaps,
    after: TapCursor | None,
    *,
    visible: Callable[[TapRecord], bool],
    render: Callable[[TapRecord], TapJson],
) -> AsyncGenerator[str, None]:
    subscription = live.subscribe(after=after)
    pending: asyncio.Task[list[TapRecord]] | None = None
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
            taps = [render(tap) for tap in batch if visible(tap)]
            if taps:
                # The id is where a reconnecting browser resumes (its Last-Event-ID).
                yield (
                    f"id: {batch[-1].cursor.text}\nevent: taps\n"
                    f"data: {json.dumps(taps, ensure_ascii=False)}\n\n"
                )
    finally:
        if pending is not None:
            pending.cancel()
        await subscription.aclose()
