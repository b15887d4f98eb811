"""``reader-agent virtual-id-card``: a virtual Vietnamese chip ID card (ICAO 9303) on vpcd.

    reader-agent virtual-id-card --init DIR      create a card (test CSCA, DS, keys, data)
    reader-agent virtual-id-card --state DIR [--misbehave wrong-can|tampered-dg|
                                 unknown-csca|cloned]      insert it until stopped

The CAN and MRZ of the generated card are printed by ``--init`` (they are test data).
"""

from __future__ import annotations

import argparse
import signal
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from reader_agent.errors import VirtualCardError
from reader_agent.virtual.id_card_state import MISBEHAVIOURS, initialise, load_chip
from reader_agent.virtual.vpcd import DEFAULT_HOST, SLOT_PORTS, VpcdLink


def configure(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--init", type=Path, metavar="DIR", help="create a new card state in DIR")
    group.add_argument("--state", type=Path, metavar="DIR", help="serve the card kept in DIR")
    parser.add_argument("--seed", type=int, help="seed for the generated personal data")
    parser.add_argument("--misbehave", choices=MISBEHAVIOURS, help="make the card misbehave")
    parser.add_argument("--vpcd-host", default=DEFAULT_HOST)
    parser.add_argument("--vpcd-port", type=int, default=SLOT_PORTS[0])
    parser.add_argument("--connect-timeout", type=float, default=10.0)


def run(args: argparse.Namespace) -> int:
    if args.init is not None:
        citizen = initialise(args.init, now=datetime.now(UTC), seed=args.seed)
        print(f"virtual ID card created in {args.init}")
        print(f"CAN: {citizen.can}  (test data)")
        print(f"MRZ: {citizen.mrz()}")
        return 0
    if not args.state.is_dir():
        raise VirtualCardError(f"{args.state} is not a virtual ID card state directory")
    link = VpcdLink(
        load_chip(args.state, misbehave=args.misbehave), host=args.vpcd_host, port=args.vpcd_port
    )

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        link.stop()

    signal.signal(signal.SIGTERM, _stop)
    link.connect(timeout=args.connect_timeout)
    print(f"virtual ID card inserted into vpcd at {args.vpcd_host}:{args.vpcd_port}", flush=True)
    link.serve_forever()
    return 0
