"""``reader-agent run --config reader.toml``: run a door, attendance point or counter.

SIGTERM and Ctrl-C stop it cleanly; SIGKILL loses nothing either (every decision is
committed before the door opens, and uploads are idempotent).
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from types import FrameType

from reader_agent.agent import Agent
from reader_agent.settings import load_settings


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="reader.toml")
    parser.add_argument(
        "--simulate-taps",
        type=int,
        metavar="N",
        help="for tests and demos: tap the card in the reader N times, then only sync",
    )
    parser.add_argument(
        "--tap-interval",
        type=float,
        default=0.0,
        metavar="S",
        help="seconds between simulated taps",
    )


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    agent = Agent.open(settings, stop=stop)
    agent.run(simulate_taps=args.simulate_taps, tap_interval=args.tap_interval)
    return 0
