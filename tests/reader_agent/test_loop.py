"""The reader loop survives pcscd going away, the reader being unplugged and surprises
in a tap, taps a card once per insertion, and reads an unreadable card again while it
stays on the reader (never a decided one), settling one answer per insertion."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from reader_agent.backoff import Backoff
from reader_agent.errors import (
    CardCommunicationError,
    NoCardError,
    NoReaderError,
    PcscUnavailableError,
)
from reader_agent.loop import ReaderLoop, Reread
from reader_agent.pcsc import CardPresence
from reader_agent.virtual.piv_direct import DirectConnection
from reader_protocol.events import Decision
from tests.reader_agent.door_pki import CardOnFile
from tests.reader_agent.world import World

PRESENT = CardPresence(present=True, events=1)


class Script:
    """What the PC/SC layer does, step by step: each step is a presence, None (a wait
    that timed out), or an exception raised by ``wait`` or by opening the watcher."""

    def __init__(self, steps, stop: threading.Event) -> None:
        self.steps = list(steps)
        self.stop = stop
        self.opened = 0
        self.closed = 0
        self.now = 0.0  # the loop's monotonic clock: a wait that times out moves it on
        self.waits: list[float] = []

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

    def wait(self, timeout: float):
        self.waits.append(timeout)
        step = self.next()
        if isinstance(step, Exception):
            raise step
        if step is None:
            self.now += timeout
        return step


class OpenFails:
    def __init__(self, error: Exception) -> None:
        self.error = error


def _loop(steps, tap=None, connect=None, *, poll_seconds=0.01, reread=None):
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
        poll_seconds=poll_seconds,
        reread=reread,
        monotonic=lambda: script.now,
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


# ------------------------------------------------------------ reading an unreadable card again


@dataclass(frozen=True)
class Answer:
    """What one read of the card produced (a stand-in for tap.CardReading)."""

    name: str
    unreadable: bool = False


UNREADABLE = Answer("unreadable", unreadable=True)
GRANTED = Answer("granted")
DENIED = Answer("card_revoked")


class TwoSteps:
    """A scripted two-step tap: each read takes the next answer (an exception is raised
    by the read, as a connection that fails), and may take time on the loop's clock."""

    def __init__(self, answers, *, read_seconds: float = 0.0) -> None:
        self.answers = list(answers)
        self.read_seconds = read_seconds
        self.script: Script | None = None
        self.reads = 0
        self.settled: list[str] = []

    def read(self, _connection) -> Answer:
        self.reads += 1
        if self.script is not None:
            self.script.now += self.read_seconds
        answer: Answer | Exception = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def read_failed(self, error) -> Answer:
        return Answer(f"not connected: {error}", unreadable=True)

    def settle(self, reading: Answer) -> str:
        self.settled.append(reading.name)
        return reading.name


def _two_step_loop(steps, answers, *, read_seconds=0.0, reread=None, connect=None):
    taps = TwoSteps(answers, read_seconds=read_seconds)
    # Polls longer than the pause: one wait that times out is exactly one pause.
    loop, script, _ = _loop(steps, taps, connect, poll_seconds=0.5, reread=reread)
    taps.script = script
    return loop, script, taps


INSERTED = CardPresence(True, 1)
STAYS = None  # a wait that times out: the same card, still in the reader


def test_an_unreadable_card_that_stays_is_read_again_and_its_answer_settled_once():
    loop, script, taps = _two_step_loop([INSERTED, STAYS, STAYS, STAYS], [UNREADABLE, GRANTED])
    loop.run()
    assert taps.reads == 2
    assert taps.settled == ["granted"]  # the unreadable read decided and recorded nothing
    assert loop.taps == 1
    assert script.waits[1] == pytest.approx(Reread().pause_seconds)


def test_a_card_that_stays_unreadable_is_read_at_most_three_times_then_settled_once():
    loop, _, taps = _two_step_loop([INSERTED] + [STAYS] * 10, [UNREADABLE] * 5)
    loop.run()
    assert taps.reads == Reread().attempts == 3
    assert taps.settled == ["unreadable"]  # one event for the insertion, told once


def test_a_decided_answer_is_never_read_again():
    for answer in (GRANTED, DENIED):
        loop, _, taps = _two_step_loop([INSERTED] + [STAYS] * 5, [answer, GRANTED])
        loop.run()
        assert (taps.reads, taps.settled) == (1, [answer.name])


def test_no_read_starts_after_the_window():
    # Each read takes 1.5 s: the second starts at 1.7 s (inside 2 s), a third would not.
    loop, _, taps = _two_step_loop([INSERTED] + [STAYS] * 5, [UNREADABLE] * 3, read_seconds=1.5)
    loop.run()
    assert taps.reads == 2
    assert taps.settled == ["unreadable"]


def test_a_card_taken_away_while_unreadable_settles_its_last_answer():
    loop, _, taps = _two_step_loop([INSERTED, CardPresence(False, 2), STAYS], [UNREADABLE])
    loop.run()
    assert (taps.reads, taps.settled) == (1, ["unreadable"])


def test_a_card_gone_at_the_next_read_settles_the_last_answer():
    loop, _, taps = _two_step_loop(
        [INSERTED, STAYS, STAYS], [UNREADABLE, NoCardError("gone between two looks")]
    )
    loop.run()
    assert (taps.reads, taps.settled) == (2, ["unreadable"])


def test_another_insertion_while_unreadable_settles_the_first_and_reads_the_second():
    loop, _, taps = _two_step_loop(
        [INSERTED, CardPresence(True, 3), STAYS, STAYS], [UNREADABLE, GRANTED]
    )
    loop.run()
    assert taps.settled == ["unreadable", "granted"]  # one answer per insertion


def test_the_state_changing_under_our_own_connection_is_not_a_new_insertion():
    # pcscd reports "in use" while the card is connected: same count, no new tap.
    loop, _, taps = _two_step_loop(
        [INSERTED, CardPresence(True, 1), STAYS, STAYS], [UNREADABLE, GRANTED]
    )
    loop.run()
    assert (taps.reads, taps.settled) == (2, ["granted"])


def test_a_card_that_cannot_be_connected_to_is_tried_again_then_told_to_tap_again():
    attempts: list[int] = []

    def refuses(_name):
        attempts.append(1)
        raise CardCommunicationError("sharing violation")

    loop, _, taps = _two_step_loop([INSERTED] + [STAYS] * 5, [], connect=refuses)
    loop.run()
    assert len(attempts) == 3
    assert taps.settled == ["not connected: sharing violation"]


def test_stopping_while_a_card_waits_for_its_next_read_settles_it():
    loop, _, taps = _two_step_loop([INSERTED], [UNREADABLE])  # the script ends: stop
    loop.run()
    assert taps.settled == ["unreadable"]


def test_rereading_can_be_turned_off():
    loop, _, taps = _two_step_loop(
        [INSERTED] + [STAYS] * 3, [UNREADABLE, GRANTED], reread=Reread(attempts=1)
    )
    loop.run()
    assert (taps.reads, taps.settled) == (1, ["unreadable"])


def test_a_plain_tap_function_is_called_once_per_insertion_even_if_unreadable():
    loop, _, taps = _loop([INSERTED, STAYS, STAYS, STAYS], poll_seconds=0.5)
    loop.run()
    assert taps == ["connection"]


class ResetOnce:
    """The in-process virtual card, reset by another program during the first reads
    (what pcscd answers then: SCARD_W_RESET_CARD on the next APDU). Each connection
    powers the card on afresh, as a PC/SC connect after a reset does."""

    def __init__(self, card: CardOnFile, *, failures: int = 1) -> None:
        self._card = card
        self.failures = failures

    @contextmanager
    def connect(self, _name):
        yield ResettingConnection(self, self._card.connection())


@dataclass
class ResettingConnection:
    owner: ResetOnce
    inner: DirectConnection

    def transmit(self, apdu: bytes) -> bytes:
        if self.owner.failures:
            self.owner.failures -= 1
            raise CardCommunicationError("card stopped answering (Card was reset.)")
        return self.inner.transmit(apdu)


def test_a_reset_during_the_first_read_is_one_granted_event_through_the_real_tap(
    door_pki, tmp_path
):
    card = door_pki.personalise()
    world = World.build(tmp_path, door_pki, holders={card.holder_id: "Hồ Văn Lâm"})
    reset = ResetOnce(card)
    loop, _, _ = _loop([INSERTED, STAYS, STAYS], world.processor, reset.connect, poll_seconds=0.5)
    loop.run()
    assert [(e.draft.decision, e.draft.reason) for e in world.outbox.pending(10)] == [
        (Decision.GRANTED, "ok")
    ]
    assert [o.reason for o in world.feedback.outcomes] == ["ok"]  # never "tap again"
    assert len(world.door.releases) == 1
    assert loop.reads == 2


def test_a_card_reset_on_every_read_is_one_unreadable_event(door_pki, tmp_path):
    card = door_pki.personalise()
    world = World.build(tmp_path, door_pki, holders={card.holder_id: "Hồ Văn Lâm"})
    reset = ResetOnce(card, failures=100)
    loop, _, _ = _loop([INSERTED] + [STAYS] * 5, world.processor, reset.connect, poll_seconds=0.5)
    loop.run()
    assert [(e.draft.decision, e.draft.reason) for e in world.outbox.pending(10)] == [
        (Decision.DENIED, "card_unreadable")
    ]
    assert [o.reason for o in world.feedback.outcomes] == ["card_unreadable"]
    assert world.door.releases == []
    assert loop.reads == 3
