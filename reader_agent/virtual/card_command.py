"""``reader-agent virtual-card``: insert a virtual card into a vpcd slot until stopped."""

from __future__ import annotations

import argparse
import signal
from types import FrameType

from reader_agent.virtual.ping_card import PingCard
from reader_agent.virtual.vpcd import DEFAULT_HOST, SLOT_PORTS, VirtualCard, VpcdLink

KINDS = ("ping",)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0], help="which card to emulate")
    parser.add_argument("--vpcd-host", default=DEFAULT_HOST)
    parser.add_argument("--vpcd-port", type=int, default=SLOT_PORTS[0])
    parser.add_argument("--connect-timeout", type=float, default=10.0)


def make_card(args: argparse.Namespace) -> VirtualCard:
    return PingCard()


def run(args: argparse.Namespace) -> int:
    link = VpcdLink(make_card(args), host=args.vpcd_host, port=args.vpcd_port)

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        link.stop()

    signal.signal(signal.SIGTERM, _stop)
    link.connect(timeout=args.connect_timeout)
    print(
        f"virtual {args.kind} card inserted into vpcd at {args.vpcd_host}:{args.vpcd_port}",
        flush=True,
    )
    link.serve_forever()
    return 0
