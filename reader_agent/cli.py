"""``reader-agent``: run virtual cards (and, later, readers).

The process's one translator from errors to exit codes: a failing command ends
with one ``reader-agent: error: ...`` line and a non-zero status.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from reader_agent.errors import ReaderAgentError
from reader_agent.virtual.ping_card import PingCard
from reader_agent.virtual.vpcd import DEFAULT_HOST, SLOT_PORTS, VpcdLink

logger = logging.getLogger("reader_agent")


def cmd_virtual_card(args: argparse.Namespace) -> int:
    card = PingCard()
    link = VpcdLink(card, host=args.vpcd_host, port=args.vpcd_port)

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        link.stop()

    signal.signal(signal.SIGTERM, _stop)
    link.connect(timeout=args.connect_timeout)
    print(f"virtual card inserted into vpcd at {args.vpcd_host}:{args.vpcd_port}", flush=True)
    link.serve_forever()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reader-agent", description=__doc__)
    parser.add_argument("--log-level", default="INFO")
    sub = parser.add_subparsers(dest="command", required=True)

    virtual = sub.add_parser("virtual-card", help="serve a virtual card on the vpcd socket")
    virtual.add_argument("--vpcd-host", default=DEFAULT_HOST)
    virtual.add_argument("--vpcd-port", type=int, default=SLOT_PORTS[0])
    virtual.add_argument("--connect-timeout", type=float, default=10.0)
    virtual.set_defaults(handler=cmd_virtual_card)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except ReaderAgentError as exc:
        print(f"reader-agent: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
