"""The reader loop survives a real pcscd restart: a card is tapped, pcscd is killed and
started again (as the machine's service manager would), and the next card is tapped
without restarting the reader's process.

This test stops the machine's pcscd for a moment, so it must not run beside other
PC/SC tests; pytest runs them one after another. It starts pcscd again whatever
happens (``scripts/start-pcscd.sh``)."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reader_agent.loop import ReaderLoop
from reader_agent.tap import TapOptions, TapResult
from reader_agent.virtual.launcher import exclusive_slot, inserted_card, vpcd_reader_name
from reader_agent.virtual.vpcd import SLOT_PORTS
from tests.reader_agent.door_pki import DoorPki
from tests.reader_agent.world import World

pytestmark = [pytest.mark.pcsc, pytest.mark.slow, pytest.mark.usefixtures("pcscd")]
PORT = SLOT_PORTS[0]
ROOT = Path(__file__).resolve().parents[2]


def _pcscd_pids() -> set[str]:
    found = subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True, text=True, check=False)
    return set(found.stdout.split())


def _kill_pcscd() -> None:
    subprocess.run(["pkill", "-x", "pcscd"], check=False)
    _wait(lambda: not _pcscd_pids(), timeout=10)


def _start_pcscd() -> None:
    subprocess.run(
        [str(ROOT / "scripts" / "start-pcscd.sh"), str(ROOT / ".venv" / "bin" / "python")],
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_taps_resume_after_pcscd_restarts(tmp_path):
    pki = DoorPki.create()
    card = pki.personalise(state=tmp_path / "card.json")
    stop = threading.Event()
    results: list[TapResult] = []

    def reader() -> None:  # the reader's components live in the loop's thread
        world = World.build(
            tmp_path / "r",
            pki,
            holders={card.holder_id: "An"},
            options=TapOptions(debounce_seconds=0),
        )
        loop = ReaderLoop(
            vpcd_reader_name(PORT),
            lambda connection: results.append(world.tap(connection)),
            stop=stop,
            poll_seconds=0.1,
        )
        loop.run()

    thread = threading.Thread(target=reader, daemon=True)
    with exclusive_slot(PORT):
        thread.start()
        try:
            with inserted_card(["--state", str(tmp_path / "card.json")], port=PORT):
                _wait(lambda: len(results) >= 1)
            before = _pcscd_pids()
            _kill_pcscd()
            time.sleep(1.0)  # the loop notices pcscd is gone and backs off
            _start_pcscd()
            assert _pcscd_pids() - before, "pcscd was not restarted"
            with inserted_card(["--state", str(tmp_path / "card.json")], port=PORT):
                _wait(lambda: len(results) >= 2, timeout=30)
        finally:
            stop.set()
            thread.join(timeout=10)
            _start_pcscd()  # never leave the machine without pcscd
    # Both taps are granted, the second one without restarting the reader.
    assert [r.decision.reason for r in results] == ["ok", "ok"]
    assert not thread.is_alive()


def _wait(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
