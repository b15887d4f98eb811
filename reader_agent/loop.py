"""The reader loop: wait for a card, tap it, wait for it to leave; forever.

It never crashes on the reader's account. When pcscd restarts or the reader is
unplugged, the loop closes its PC/SC context, waits (with back-off, up to a few
seconds) and tries again; taps resume as soon as the reader is back. A card is
tapped once per insertion: pcscd counts insertions and removals, so a card taken
out and put back between two looks still counts as a new tap.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from reader_agent.backoff import Backoff
from reader_agent.connection import Connection
from reader_agent.errors import CardCommunicationError, NoCardError
from reader_agent.pcsc import CardPresence, CardWatcher, PcscConnection

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # how long one wait blocks; bounds how fast a stop is noticed


class Watcher(Protocol):
    def wait(self, timeout_s: float) -> CardPresence | None: ...


WatcherFactory = Callable[[str], AbstractContextManager[Watcher]]
Connector = Callable[[str], AbstractContextManager[Connection]]


def _pcsc_watcher(reader_name: str) -> AbstractContextManager[Watcher]:
    return CardWatcher(reader_name)


def _pcsc_connection(reader_name: str) -> AbstractContextManager[Connection]:
    return PcscConnection(reader_name)


class ReaderLoop:
    def __init__(
        self,
        reader_name: str,
        tap: Callable[[Connection], object],
        *,
        stop: threading.Event,
        watcher: WatcherFactory = _pcsc_watcher,
        connect: Connector = _pcsc_connection,
        backoff: Backoff | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.reader_name = reader_name
        self._tap = tap
        self._stop = stop
        self._watcher = watcher
        self._connect = connect
        self._backoff = backoff or Backoff(initial=0.2, maximum=5.0)
        self._poll = poll_seconds
        self._outage: str | None = None
        self.taps = 0

    def run(self) -> None:
        """Watch the reader until ``stop`` is set."""
        while not self._stop.is_set():
            try:
                self._watch()
            except CardCommunicationError as exc:
                self._down(str(exc))
            except Exception as exc:  # never let one surprise end the reader
                logger.exception("reader loop error")
                self._down(f"unexpected error: {exc}")

    def run_simulated(self, count: int, *, interval_s: float = 0.0) -> None:
        """Tap whatever card is in the reader ``count`` times (tests and the crash
        harness: a virtual card cannot be taken out and put back quickly)."""
        done = 0
        while done < count and not self._stop.is_set():
            if self._tap_card():
                done += 1
                self._stop.wait(interval_s)
            else:
                self._stop.wait(self._backoff.next_delay())

    def _watch(self) -> None:
        last_tapped: int | None = None  # pcscd's event count at the last tap
        with self._watcher(self.reader_name) as watcher:
            while not self._stop.is_set():
                presence = watcher.wait(self._poll)
                if presence is None:
                    continue
                self._up()
                if presence.present and presence.events != last_tapped:
                    last_tapped = presence.events
                    self._tap_card()

    def _tap_card(self) -> bool:
        try:
            with self._connect(self.reader_name) as connection:
                self._tap(connection)
        except NoCardError:
            logger.debug("the card left before it could be read")
            return False
        except CardCommunicationError as exc:
            logger.warning("cannot connect to the card: %s", exc)
            return False
        self.taps += 1
        self._backoff.reset()
        return True

    def _down(self, why: str) -> None:
        if self._outage is None:
            logger.warning("reader %r unavailable (%s); retrying", self.reader_name, why)
        self._outage = why
        self._stop.wait(self._backoff.next_delay())

    def _up(self) -> None:
        if self._outage is not None:
            logger.info("reader %r is back", self.reader_name)
            self._outage = None
        self._backoff.reset()
