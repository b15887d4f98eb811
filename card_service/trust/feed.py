"""One watcher per process for the trust state, shared by every connected reader.

A single task reads the (tiny) trust state every POLL_SECONDS and wakes all
subscribers when it changes, so a thousand open feeds cost one query per tick, and
a change committed by any replica reaches every reader within a tick or two.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable

from sqlalchemy.exc import SQLAlchemyError

from card_service.db.engine import Database
from card_service.errors import CardServiceError
from reader_protocol.trust import TrustState

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25


class TrustFeed:
    def __init__(
        self, load: Callable[[], TrustState], *, poll_seconds: float = POLL_SECONDS
    ) -> None:
        self._load = load
        self._poll = poll_seconds
        self._state: TrustState | None = None
        self._generation = 0  # bumped with every new state
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._subscribers = 0

    async def subscribe(self) -> AsyncGenerator[TrustState, None]:
        """Yield the current state, then every new one, until the caller stops."""
        self._subscribers += 1
        self._ensure_running()
        seen = 0
        try:
            while True:
                async with self._changed:
                    # wait_for evaluates the predicate right here, with this round's seen.
                    await self._changed.wait_for(lambda: self._generation > seen)  # noqa: B023
                    seen, state = self._generation, self._state
                if state is not None:
                    yield state
        finally:
            self._subscribers -= 1

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        previous_key: tuple[object, ...] | None = None
        while True:
            try:
                state = await asyncio.to_thread(self._load)
            except (SQLAlchemyError, CardServiceError):
                logger.warning("trust feed could not read the state; retrying", exc_info=True)
                await asyncio.sleep(self._poll * 4)
                continue
            key = (state.trust_bundle_sequence, state.crl_numbers, state.config_version)
            if key != previous_key:
                previous_key = key
                async with self._changed:
                    self._state = state
                    self._generation += 1
                    self._changed.notify_all()
            await asyncio.sleep(self._poll)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def database_loader(database: Database, clock: Callable[[], object]) -> Callable[[], TrustState]:
    from card_service.trust.service import trust_state  # noqa: PLC0415 - avoid an import cycle

    def load() -> TrustState:
        with database.sessions() as session:
            return trust_state(session, now=clock())  # type: ignore[arg-type]

    return load
