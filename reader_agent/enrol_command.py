"""``reader-agent enrol --config reader.toml --token T``: register this reader."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from reader_agent.enrol import enrol, first_sync
from reader_agent.settings import SettingsError, load_settings

TOKEN_ENVIRONMENT = "READER_ENROLMENT_TOKEN"  # noqa: S105 - a variable name, not a secret


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="reader.toml")
    parser.add_argument(
        "--token",
        help=f"the one-time enrolment token, as --token=T (a token may begin with '-'); or "
        f"set {TOKEN_ENVIRONMENT}, which keeps it out of the process list",
    )


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    token = args.token or os.environ.get(TOKEN_ENVIRONMENT)
    if not token:
        raise SettingsError(f"give the enrolment token with --token or {TOKEN_ENVIRONMENT}")
    identity = enrol(settings, token)
    print(f"enrolled: reader {identity.reader_id} ({identity.mode.value})", flush=True)
    if first_sync(settings, identity):
        print("trust material and configuration fetched: ready to decide offline", flush=True)
    else:
        print("trust material not complete yet; `reader-agent run` will fetch it", flush=True)
    return 0
