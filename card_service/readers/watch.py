"""Ending a reader's open streams once it may no longer connect.

A reader is authenticated when a request starts; a stream (the change feed) outlives
that check. One task per process re-reads, every POLL_SECONDS, which of the readers
with an open stream are still active, in one query for all of them, and signals every
stream of a reader that was deregistered (by any replica) or removed. A thousand open
feeds cost one query per tick, not one each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Collection, Iterator

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from card_service.db.engine import Database
from card_service.errors import CardServiceError
from card_service.readers.models import Reader, ReaderState

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
# Bound parameters per query (SQLite allows 32,766, PostgreSQL 65,535).
_CHUNK = 1000

LoadActive = Callable[[Collection[uuid.UUID]], set[uuid.UUID]]


class ReaderWatch:
    def __init__(self, load_active: LoadActive, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._load_active = load_active
        self._poll = poll_seconds
        self._watched: dict[uuid.UUID, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def watching(self, reader_id: uuid.UUID) -> Iterator[asyncio.Event]:
        """An event that is set once ``reader_id`` is no longer active (checked every
        tick, so also when it stopped being active just before this call)."""
        locked_out = asyncio.Event()
        self._watched.setdefault(reader_id, set()).add(locked_out)
        self._ensure_running()
        try:
            yield locked_out
        finally:
            events = self._watched.get(reader_id, set())
            events.discard(locked_out)
            if not events:
                self._watched.pop(reader_id, None)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            watched = frozenset(self._watched)
            if not watched:
                continue
            try:
                active = await asyncio.to_thread(self._load_active, watched)
            except (SQLAlchemyError, CardServiceError):
                # Streams stay open meanwhile: the database is also what refuses a
                # reconnection, and the feed carries only public trust state.
                logger.warning("could not check which readers are active; retrying", exc_info=True)
                continue
            for reader_id in watched - active:
                for locked_out in self._watched.get(reader_id, ()):
                    locked_out.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def active_among(database: Database, reader_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``reader_ids`` that are active readers now."""
    ids = list(reader_ids)
    active: set[uuid.UUID] = set()
    with database.sessions() as session:
        for start in range(0, len(ids), _CHUNK):
            active.update(
                session.scalars(
                    select(Reader.id).where(
                        Reader.id.in_(ids[start : start + _CHUNK]),
                        Reader.state == ReaderState.ACTIVE,
                    )
                )
            )
    return active


def database_loader(database: Database) -> LoadActive:
    return lambda reader_ids: active_among(database, reader_ids)
