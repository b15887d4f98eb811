"""One poller per process for the live taps page, shared by every open browser.

Like card_service.trust.feed: a single task reads what arrived since its cursor every
POLL_SECONDS and wakes all subscribers, so a hundred open pages cost one query per
tick, and taps received by any replica reach every page within a tick or two. Each
subscriber then keeps only what its viewer may see. The task stops when the last
subscriber leaves.

The feed stays SETTLE behind the clock: an upload's events carry the time its request
began, so an upload still committing when the poller has moved past that time would
otherwise never be shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import AsyncGenerator, Callable
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from admin_ui.ports import TapCursor, TapRecord
from card_service.errors import CardServiceError

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
SETTLE = timedelta(seconds=2)
KEEP = 500  # recent taps kept for late subscribers' catch-up
BATCH = 200

Loader = Callable[[TapCursor | None], list[TapRecord]]


class LiveTaps:
    def __init__(self, load: Loader, *, poll_seconds: float = POLL_SECONDS) -> None:
        """``load(cursor)`` returns up to BATCH taps received after ``cursor``, oldest
        first (with None: the newest ones)."""
        self._load = load
        self._poll = poll_seconds
        self._recent: deque[TapRecord] = deque(maxlen=KEEP)
        self._newest: TapCursor | None = None
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._subscribers = 0

    async def subscribe(
        self, *, after: TapCursor | None = None
    ) -> AsyncGenerator[list[TapRecord], None]:
        """Yield the kept taps received after ``after`` (all kept ones with None), then
        every batch of new ones."""
        self._subscribers += 1
        self._ensure_running()
        cursor = after
        try:
            while True:
                async with self._changed:
                    await self._changed.wait_for(functools.partial(self._has_news, cursor))
                    fresh = [tap for tap in self._recent if cursor is None or tap.cursor > cursor]
                    cursor = self._newest
                if fresh:
                    yield fresh
        finally:
            self._subscribers -= 1
            if self._subscribers == 0 and self._task is not None:
                self._task.cancel()
                self._task = None

    def _has_news(self, cursor: TapCursor | None) -> bool:
        return self._newest is not None and (cursor is None or self._newest > cursor)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        cursor: TapCursor | None = None
        while True:
            try:
                taps = await asyncio.to_thread(self._load, cursor)
            except (SQLAlchemyError, CardServiceError):
                logger.warning("live taps could not read events; retrying", exc_info=True)
                await asyncio.sleep(self._poll * 4)
                continue
            if taps:
                cursor = taps[-1].cursor
                async with self._changed:
                    self._recent.extend(taps)
                    self._newest = cursor
                    self._changed.notify_all()
            if len(taps) < BATCH:  # a full batch means more are waiting: read on at once
                await asyncio.sleep(self._poll)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
