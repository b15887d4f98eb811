"""Kill a reader mid-write, again and again: no committed event is lost or duplicated,
and the reader's sequence numbers stay gapless and in order.

A writer process appends events as fast as it can (each a committed transaction
with fsync) and says which it committed; we SIGKILL it at random moments, restart
it, and finally compare what it reported with what the database holds.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader_agent.outbox import Outbox

ROOT = Path(__file__).resolve().parents[2]
KILLS = 12

pytestmark = pytest.mark.slow


def _run_until_killed(path: Path, rng: random.Random) -> list[str]:
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.reader_agent.outbox_writer", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    first = writer.stdout.readline()  # it is running and has committed at least once
    time.sleep(rng.uniform(0.01, 0.3))
    writer.send_signal(signal.SIGKILL)
    rest, errors = writer.communicate(timeout=10)
    assert writer.returncode == -signal.SIGKILL, errors
    text = first + rest
    # A line cut by the kill was not fully reported; count only complete lines.
    return text.splitlines() if text.endswith("\n") else text.splitlines()[:-1]


def test_sigkill_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    rng = random.Random(20261124)
    reported: dict[str, int] = {}
    reported_sent: set[str] = set()
    for _ in range(KILLS):
        for line in _run_until_killed(path, rng):
            word, *fields = line.split()
            if word == "appended":
                event_id, number = fields
                assert event_id not in reported
                reported[event_id] = int(number)
            else:
                reported_sent.update(fields)

    database = sqlite3.connect(path)
    rows = database.execute("SELECT id, reader_seq, state FROM tap_events").fetchall()
    database.close()
    stored = {event_id: seq for event_id, seq, _ in rows}
    states = {event_id: state for event_id, _, state in rows}

    assert len(stored) == len(rows)  # no id twice
    for event_id, seq in reported.items():  # every reported commit is there, same number
        assert stored.get(event_id) == seq
    # At most the one append in flight per kill may be stored without being reported.
    assert len(set(stored) - set(reported)) <= KILLS
    seqs = sorted(stored.values())
    assert seqs == list(range(1, len(seqs) + 1))  # gapless, never reused
    assert all(states[event_id] == "sent" for event_id in reported_sent)
    assert len(reported) > 10 * KILLS  # the writer really ran between kills

    with Outbox.open(path) as outbox:  # and the outbox carries on from there
        assert outbox.last_reader_seq() == len(seqs)
