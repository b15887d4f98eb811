"""The reader loop survives pcscd going away, the reader being unplugged and surprises
in a tap, and taps a card once per insertion."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from reader_agent.backoff import Backoff
from reader_agent.errors import (
    CardCommunicationError,
    NoCardError,
    NoReaderError,
    PcscUnavailableError,
)
from reader_agent.loop import ReaderLoop
from reader_agent.pcsc import CardPresence

PRESENT = CardPresence(present=True, events=1)


class Script:
    """What the PC/SC layer does, step by step: each step is a presence, None (a wait
    that timed out), or an exception raised by ``wait`` or by opening the watcher."""

    def __init__(self, steps, stop: threading.Event) -> None:
        self.steps = list(steps)
        self.stop = stop
        self.opened = 0
        self.closed = 0

    def next(self):
        if not self.steps:
            self.stop.set()
            return None
        return self.steps.pop(0)

    @contextmanager
    def watcher(self, _reader_name: str):
        step = self.steps[0] if self.steps else None
        if isinstance(step, OpenFails):
            self.steps.pop(0)
            raise step.error
        self.opened += 1
        try:
            yield self
        finally:
            self.closed += 1

    def wait(self, _timeout: float):
        step = self.next()
        if isinstance(step, Exception):
            raise step
        return step


class OpenFails:
    def __init__(self, error: Exception) -> None:
        self.error = error


def _loop(steps, tap=None, connect=None):
    stop = threading.Event()
    script = Script(steps, stop)
    taps: list[object] = []

    @contextmanager
    def connection(_name):
        yield "connection"

    loop = ReaderLoop(
        "Reader 0",
        tap or taps.append,
        stop=stop,
        watcher=script.watcher,
        connect=connect or connection,
        backoff=Backoff(initial=0.001, maximum=0.002),
        poll_seconds=0.01,
    )
    return loop, script, taps


def test_one_tap_per_insertion():
    loop, _, taps = _loop(
        [
            CardPresence(False, 0),
            CardPresence(True, 1),  # inserted: tap
            None,  # still there
            CardPresence(False, 2),  # removed
            CardPresence(True, 3),  # back: tap again
            CardPresence(True, 5),  # out and in between two looks: still a new tap
        ]
    )
    loop.run()
    assert len(taps) == 3


def test_pcscd_restart_and_unplugged_reader_are_survived():
    loop, script, taps = _loop(
        [
            OpenFails(PcscUnavailableError("pcscd not running")),
            OpenFails(PcscUnavailableError("pcscd not running")),
            PRESENT,
            PcscUnavailableError("pcscd went away"),  # restarted under us
            NoReaderError("unplugged"),
            CardCommunicationError("strange answer from PC/SC"),
            CardPresence(True, 1),  # back after the restart: the count restarted too
        ]
    )
    loop.run()
    assert len(taps) == 2
    assert script.opened == 4
    assert script.closed == 4


def test_a_surprise_in_a_tap_does_not_end_the_loop():
    def tap(_connection):
        raise RuntimeError("bug")

    loop, _, _ = _loop([PRESENT, CardPresence(False, 2), CardPresence(True, 3)], tap=tap)
    loop.run()  # returns normally once the script is done
    assert loop.taps == 0


def test_a_card_gone_before_connecting_is_no_tap():
    def gone(_name):
        raise NoCardError("removed")

    loop, _, taps = _loop([PRESENT], connect=gone)
    loop.run()
    assert taps == []
    assert loop.taps == 0


def test_simulated_taps_tap_the_card_in_the_reader_n_times():
    loop, _, taps = _loop([])
    loop.run_simulated(5)
    assert len(taps) == 5
