"""Start a virtual card in its own process and wait until pcscd sees it.

Used by the test suite, the benchmarks and the demo: the card runs as
``reader-agent virtual-card ...`` so the PC/SC path is exactly the one a real
card would take.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reader_agent.errors import CardCommunicationError, VirtualCardError
from reader_agent.pcsc import card_in_reader, list_readers
from reader_agent.virtual.vpcd import SLOT_PORTS

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")


def vpcd_reader_name(port: int) -> str:
    """The name pcscd gives the vpcd slot listening on ``port``.

    Debian configures one vpcd reader with two slots. More readers cannot be added:
    the driver keeps its per-slot state in globals, so a second reader entry takes
    over the first one's slots.
    """
    return f"Virtual PCD 00 {SLOT_PORTS.index(port):02d}"


def pcscd_with_vpcd_available() -> bool:
    if not PCSCD_SOCKET.exists():
        return False
    try:
        names = list_readers()
    except CardCommunicationError:
        return False
    return all(vpcd_reader_name(port) in names for port in SLOT_PORTS)


def card_present(reader_name: str) -> bool:
    """Whether pcscd has powered a card in the reader, asked without connecting.

    A connecting probe would disturb the reader under test: pyscard closes a connection
    by powering the card off, so a probe that overlaps a reader's tap resets the card
    under it ("card was reset", a tap denied as unreadable). After a card process ends,
    a connecting probe could also reach the dead vpcd socket before pcscd's own poller
    did; pcscd then never recorded the removal and never powered the next card on.
    """
    return card_in_reader(reader_name)


def wait_until(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@dataclass
class VirtualCardProcess:
    process: subprocess.Popen[bytes]
    reader_name: str
    port: int


@contextmanager
def exclusive_slot(port: int) -> Iterator[None]:
    """Hold a vpcd slot for this process: vpcd serves one card per slot, so two test
    runs (or a test and a benchmark) on one machine take turns instead of colliding."""
    lock_path = Path(tempfile.gettempdir()) / f"ecard-vpcd-{port}.lock"
    with lock_path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


@contextmanager
def virtual_card_process(
    args: Sequence[str] = (),
    *,
    port: int = SLOT_PORTS[0],
    timeout: float = 10.0,
    subcommand: str = "virtual-card",
) -> Iterator[VirtualCardProcess]:
    """Run ``reader-agent <subcommand> <args>`` on a vpcd slot until the block ends."""
    with (
        exclusive_slot(port),
        inserted_card(args, port=port, timeout=timeout, subcommand=subcommand) as card,
    ):
        yield card


@contextmanager
def virtual_id_card_process(
    state: Path,
    *,
    misbehave: str | None = None,
    port: int = SLOT_PORTS[0],
    timeout: float = 10.0,
) -> Iterator[VirtualCardProcess]:
    """Run ``reader-agent virtual-id-card --state DIR`` (an ICAO 9303 chip) on a vpcd slot."""
    args = ["--state", str(state)] + (["--misbehave", misbehave] if misbehave else [])
    with virtual_card_process(
        args, port=port, timeout=timeout, subcommand="virtual-id-card"
    ) as card:
        yield card


@contextmanager
def inserted_card(
    args: Sequence[str],
    *,
    port: int = SLOT_PORTS[0],
    timeout: float = 10.0,
    subcommand: str = "virtual-card",
) -> Iterator[VirtualCardProcess]:
    """Like ``virtual_card_process`` for a caller that already holds
    ``exclusive_slot(port)``: a test that puts cards in and takes them out several
    times keeps the slot for its whole length (taking the lock again would block)."""
    reader_name = vpcd_reader_name(port)
    command = [
        sys.executable,
        "-m",
        "reader_agent.cli",
        subcommand,
        "--vpcd-port",
        str(port),
        *args,
    ]
    # The command is our own interpreter and module; args come from our callers, not users.
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    try:
        appeared = wait_until(
            lambda: process.poll() is not None or card_present(reader_name), timeout=timeout
        )
        if process.poll() is not None:
            _, err = process.communicate()
            raise VirtualCardError(f"virtual card exited: {err.decode(errors='replace').strip()}")
        if not appeared:
            raise VirtualCardError(f"virtual card never appeared in {reader_name}")
        yield VirtualCardProcess(process=process, reader_name=reader_name, port=port)
    finally:
        process.terminate()
        try:
            process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        # Until pcscd's own poller (every 0.4 s) has recorded the removal: the next
        # card in this slot is powered on only after that.
        wait_until(lambda: not card_present(reader_name), timeout=5)
