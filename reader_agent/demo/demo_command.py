"""``reader-agent demo``: watch a door grant a freshly issued virtual card, then deny
it after revocation (against the service `make run` started)."""

from __future__ import annotations

import argparse
from pathlib import Path

from reader_agent.demo.door_demo import DemoOptions, password_from, run_demo
from reader_agent.virtual.vpcd import SLOT_PORTS


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--service", default="http://127.0.0.1:8000", help="the service URL")
    parser.add_argument(
        "--credentials",
        type=Path,
        default=Path("data/demo-credentials.json"),
        help="where `card-service demo-seed` saved the demo passwords",
    )
    parser.add_argument("--username", default="admin")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("data/demo-door"),
        help="readers' configuration, state and the virtual card are kept here",
    )
    parser.add_argument("--vpcd-port", type=int, default=SLOT_PORTS[0], choices=SLOT_PORTS)


def run(args: argparse.Namespace) -> int:
    options = DemoOptions(
        service_url=args.service,
        username=args.username,
        password=password_from(args.credentials, args.username),
        workdir=args.workdir.resolve(),
        port=args.vpcd_port,
    )
    ok = run_demo(options, say=lambda line: print(line, flush=True))
    print("granted, then denied after revocation: as it should be" if ok else "unexpected!")
    return 0 if ok else 1
