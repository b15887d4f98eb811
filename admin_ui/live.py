"""One poller per process for the live taps page, shared by every open browser.

Like card_service.trust.feed: a single task reads what arrived since the last look
every POLL_SECONDS and wakes all subscribers, so a hundred open pages cost one query
per tick, and taps received by any replica reach every page within a tick or two. The
task stops when the last subscriber leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncGenerator, Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from admin_ui.ports import TapView
from card_service.errors import CardServiceError

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
KEEP = 500  # recent taps kept for late subscribers' catch-up
BATCH = 200

Loader = Callable[[datetime | None], list[TapView]]


class LiveTaps:
    def __init__(self, load: Loader, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._load = load
        self._poll = poll_seconds
        self._recent: deque[tuple[int, TapView]] = deque(maxlen=KEEP)
        self._sequence = 0
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._subscribers = 0

    async def subscribe(self, *, backlog: int = 20) -> AsyncGenerator[list[TapView], None]:
        """Yield the last ``backlog`` taps, then every batch of new ones."""
        self._subscribers += 1
        self._ensure_running()
        seen = max(0, self._sequence - backlog)
        try:
            while True:
                async with self._changed:
                    await self._changed.wait_for(lambda: self._sequence > seen)  # noqa: B023
                    fresh = [view for number, view in self._recent if number > seen]
                    seen = self._sequence
                if fresh:
                    yield fresh
        finally:
            self._subscribers -= 1
            if self._subscribers == 0 and self._task is not None:
                self._task.cancel()
                self._task = None

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        cursor: datetime | None = None
        seen_ids: set[object] = set()
        while True:
            try:
                views = await asyncio.to_thread(self._load, cursor)
            except (SQLAlchemyError, CardServiceError):
                logger.warning("live taps could not read events; retrying", exc_info=True)
                await asyncio.sleep(self._poll * 4)
                continue
            # Events received in the same instant as the cursor may come back once more.
            fresh = [view for view in views if view.id not in seen_ids]
            if fresh:
                cursor = max(view.received_at for view in fresh)
                seen_ids = {view.id for view in fresh if view.received_at == cursor}
                async with self._changed:
                    for view in fresh:
                        self._sequence += 1
                        self._recent.append((self._sequence, view))
                    self._changed.notify_all()
            await asyncio.sleep(self._poll)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
