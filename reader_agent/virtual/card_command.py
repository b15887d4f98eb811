"""``reader-agent virtual-card``: insert a virtual card into a vpcd slot until stopped.

``--kind piv`` (the default) is a PIV card whose state lives in ``--state FILE``
(created blank if absent; in memory only without the option); ``--kind ping`` is
the minimal card the PC/SC smoke test uses.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from types import FrameType

from reader_agent.virtual.ping_card import PingCard
from reader_agent.virtual.piv_card import PivCard, PivCardOptions
from reader_agent.virtual.vpcd import DEFAULT_HOST, SLOT_PORTS, VirtualCard, VpcdLink

KINDS = ("piv", "ping")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0], help="which card to emulate")
    parser.add_argument(
        "--state",
        type=Path,
        help="PIV card state file (JSON); created as a blank card if it does not exist",
    )
    parser.add_argument(
        "--sign-with-other-key",
        action="store_true",
        help="PIV misbehaviour for tests: sign challenges with a key the certificate does "
        "not name (a copied certificate)",
    )
    parser.add_argument("--vpcd-host", default=DEFAULT_HOST)
    parser.add_argument("--vpcd-port", type=int, default=SLOT_PORTS[0])
    parser.add_argument("--connect-timeout", type=float, default=10.0)


def make_card(args: argparse.Namespace) -> VirtualCard:
    if args.kind == "ping":
        return PingCard()
    options = PivCardOptions(sign_with_other_key=args.sign_with_other_key)
    if args.state is None:
        return PivCard.blank(options=options)
    return PivCard.open(args.state, options=options)


def run(args: argparse.Namespace) -> int:
    card = make_card(args)
    link = VpcdLink(card, host=args.vpcd_host, port=args.vpcd_port)

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
