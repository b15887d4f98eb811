"""``reader-agent``: run readers, enrol them, and serve virtual cards.

Each subcommand lives in its own module with ``configure(parser)`` and ``run(args)``;
this module only assembles them and is the process's one translator from errors to
exit codes: a failing command ends with one ``reader-agent: error: ...`` line.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Protocol, cast

from crypto.errors import CryptoError
from reader_agent.errors import ReaderAgentError
from reader_agent.iso7816.redact import APDU_LOG_LEVEL

# Exit codes as sysexits(3): the service manager (systemd) and scripts tell them apart.
EXIT_FAILURE = 1
EXIT_UNAVAILABLE = 69
EXIT_CONFIG = 78

logger = logging.getLogger("reader_agent")

# subcommand -> (module, help). Modules are imported only when their command runs
# (and when --help lists them), so a virtual card never loads the reader loop.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("reader_agent.run_command", "run a door, attendance point or counter reader"),
    "enrol": ("reader_agent.enrol_command", "enrol this reader with a one-time token"),
    "issue": ("reader_agent.issue_command", "personalise a blank card at an issuance station"),
    "demo": (
        "reader_agent.demo.demo_command",
        "issue a virtual card, tap it at a door, revoke it, tap again (needs `make run`)",
    ),
    "virtual-id-card": ("reader_agent.virtual.id_card_command", "serve a virtual chip ID card"),
    "virtual-card": (
        "reader_agent.virtual.card_command",
        "serve a virtual card on the vpcd socket",
    ),
}


class SubcommandModule(Protocol):
    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reader-agent", description=__doc__)
    parser.add_argument(
        "--log-level",
        default="INFO",
        type=_log_level,
        help="DEBUG shows HTTP requests, TRACE (or 5) the APDUs, PINs masked",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = cast(SubcommandModule, importlib.import_module(module_name))
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(command)
        command.set_defaults(run=module.run)
    return parser


def _log_level(text: str) -> int:
    """A level name (TRACE, DEBUG, INFO, ...) or number; argparse reports anything else."""
    logging.addLevelName(APDU_LOG_LEVEL, "TRACE")
    if text.isdigit():
        return int(text)
    level = logging.getLevelNamesMapping().get(text.upper())
    if level is None:
        raise argparse.ArgumentTypeError(f"unknown log level {text!r}")
    return level


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # One INFO line per request drowns the reader's own log; DEBUG shows them.
        logging.getLogger("httpx2").setLevel(logging.WARNING)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except (ReaderAgentError, CryptoError) as exc:
        print(f"reader-agent: error: {exc}", file=sys.stderr)
        return _exit_code(exc)


def _exit_code(exc: Exception) -> int:
    # Imported here: a virtual card's process never loads the settings or the client.
    from reader_agent.client.errors import ServiceUnavailableError  # noqa: PLC0415
    from reader_agent.errors import PcscUnavailableError  # noqa: PLC0415
    from reader_agent.settings import SettingsError  # noqa: PLC0415
    from reader_agent.state.errors import NotEnrolledError  # noqa: PLC0415

    if isinstance(exc, (SettingsError, NotEnrolledError)):
        return EXIT_CONFIG
    if isinstance(exc, (ServiceUnavailableError, PcscUnavailableError)):
        return EXIT_UNAVAILABLE
    return EXIT_FAILURE


if __name__ == "__main__":
    raise SystemExit(main())
