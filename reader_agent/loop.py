"""The reader loop: wait for a card, tap it, wait for it to leave; forever.

It never crashes on the reader's account. When pcscd restarts or the reader is
unplugged, the loop closes its PC/SC context, waits (with back-off, up to a few
seconds) and tries again; taps resume as soon as the reader is back. A card is
tapped once per insertion: pcscd counts insertions and removals, so a card taken
out and put back between two looks still counts as a new tap.

A card that could not be read (``card_unreadable``: it stopped answering, another
program reset it, it answered garbage) decided nothing, so while it stays on the
reader it is read again, a few times within a short window (``Reread``). Only the
insertion's last answer is decided and recorded: one event per insertion, whatever
the number of reads. A decided answer (granted or denied) is never read again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

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


class Reading(Protocol):
    @property
    def unreadable(self) -> bool:
        """The card could not be read: nothing was decided, reading again is safe."""
        ...


ReadingT = TypeVar("ReadingT", bound=Reading)


class TwoStepTap(Protocol[ReadingT]):
    """A tap in two steps (``reader_agent.tap.TapProcessor``): ``read`` asks the card
    and decides nothing; ``settle`` decides, records and acts on one reading."""

    def read(self, connection: Connection) -> ReadingT: ...

    def read_failed(self, error: CardCommunicationError) -> ReadingT: ...

    def settle(self, reading: ReadingT) -> object: ...


@dataclass(frozen=True)
class Reread:
    """How often an unreadable card that stays on the reader is read again."""

    attempts: int = 3  # reads per insertion, the first one included
    pause_seconds: float = 0.2  # between two reads: a reset or a card still settling passes
    window_seconds: float = 2.0  # no read starts later than this after the first one


NO_REREAD = Reread(attempts=1)


def _pcsc_watcher(reader_name: str) -> AbstractContextManager[Watcher]:
    return CardWatcher(reader_name)


def _pcsc_connection(reader_name: str) -> AbstractContextManager[Connection]:
    # Exclusive: no other program can reset the card in the middle of a tap.
    return PcscConnection(reader_name, exclusive=True)


@dataclass(frozen=True)
class _Pending(Generic[ReadingT]):
    """An insertion whose card was unreadable so far, waiting for its next read."""

    events: int  # pcscd's insertion count: the same card, never taken out
    reading: ReadingT  # the last (unreadable) answer: what is recorded if nothing better comes
    attempts: int
    first_at: float
    next_at: float


class ReaderLoop:
    """``tap`` is a ``TwoStepTap`` (unreadable cards are read again, per ``reread``)
    or a plain function of a connection (called once per insertion, never again)."""

    def __init__(
        self,
        reader_name: str,
        tap: TwoStepTap[Any] | Callable[[Connection], object],
        *,
        stop: threading.Event,
        watcher: WatcherFactory = _pcsc_watcher,
        connect: Connector = _pcsc_connection,
        backoff: Backoff | None = None,
        poll_seconds: float = POLL_SECONDS,
        reread: Reread | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reader_name = reader_name
        self._taps: TwoStepTap[Any] = _OneStep(tap) if callable(tap) else tap
        self._reread = reread or (Reread() if not callable(tap) else NO_REREAD)
        self._stop = stop
        self._watcher = watcher
        self._connect = connect
        self._backoff = backoff or Backoff(initial=0.2, maximum=5.0)
        self._poll = poll_seconds
        self._monotonic = monotonic
        self._outage: str | None = None
        self.taps = 0  # insertions decided
        self.reads = 0  # reads of a card, including those read again

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
        harness: a virtual card cannot be taken out and put back quickly). Every read
        is decided: the next simulated tap is the read again."""
        done = 0
        while done < count and not self._stop.is_set():
            try:
                with self._connect(self.reader_name) as connection:
                    reading = self._taps.read(connection)
            except CardCommunicationError as exc:
                logger.debug("no card to tap: %s", exc)
                self._stop.wait(self._backoff.next_delay())
                continue
            self.reads += 1
            self._settle(reading)
            done += 1
            self._stop.wait(interval_s)

    def _watch(self) -> None:
        last_tapped: int | None = None  # pcscd's event count at the last tap
        pending: _Pending[Any] | None = None
        with self._watcher(self.reader_name) as watcher:
            try:
                while not self._stop.is_set():
                    presence = watcher.wait(self._wait_seconds(pending))
                    if presence is not None:
                        self._up()
                        if pending is not None and (
                            not presence.present or presence.events != pending.events
                        ):
                            # The card left (or another came): its last answer stands.
                            self._settle(pending.reading)
                            pending = None
                        if presence.present and presence.events != last_tapped:
                            last_tapped = presence.events
                            pending = self._attempt(presence.events, None)
                            continue
                    if pending is not None and self._monotonic() >= pending.next_at:
                        pending = self._attempt(pending.events, pending)
            finally:
                if pending is not None:  # stopping, or PC/SC went away mid-retry
                    self._settle(pending.reading)

    def _wait_seconds(self, pending: _Pending[Any] | None) -> float:
        if pending is None:
            return self._poll
        return max(0.0, min(self._poll, pending.next_at - self._monotonic()))

    def _attempt(self, events: int, previous: _Pending[Any] | None) -> _Pending[Any] | None:
        """Read the inserted card; settle the answer unless it is unreadable and the
        policy allows another read. Returns the insertion still waiting, if any."""
        started = self._monotonic()
        first_at = previous.first_at if previous is not None else started
        attempts = (previous.attempts if previous is not None else 0) + 1
        try:
            with self._connect(self.reader_name) as connection:
                reading = self._taps.read(connection)
        except NoCardError:
            logger.debug("the card left before it could be read")
            if previous is not None:
                self._settle(previous.reading)
            return None
        except CardCommunicationError as exc:
            logger.warning("cannot connect to the card: %s", exc)
            reading = self._taps.read_failed(exc)
        self.reads += 1
        next_at = self._monotonic() + self._reread.pause_seconds
        if (
            reading.unreadable
            and attempts < self._reread.attempts
            and next_at - first_at <= self._reread.window_seconds
        ):
            logger.info(
                "card unreadable (read %d of %d); reading it again",
                attempts,
                self._reread.attempts,
            )
            return _Pending(events, reading, attempts, first_at, next_at)
        self._settle(reading)
        return None

    def _settle(self, reading: Reading) -> None:
        self._taps.settle(reading)
        self.taps += 1
        self._backoff.reset()

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


@dataclass(frozen=True)
class _Done:
    """A plain tap function's reading: it decided whatever it decided already."""

    unreadable: bool = False


class _OneStep:
    """A plain tap function as a two-step tap: ``read`` taps, nothing is read again,
    and a card that cannot be connected to is no tap (as it always was)."""

    def __init__(self, tap: Callable[[Connection], object]) -> None:
        self._tap = tap

    def read(self, connection: Connection) -> _Done:
        self._tap(connection)
        return _Done()

    def read_failed(self, error: CardCommunicationError) -> _Done:
        return _Done()

    def settle(self, reading: _Done) -> object:
        return None
