"""``reader-agent issue --config station.toml --card-id ID``: personalise the blank
card in the station's reader as the card the service knows by ``ID``."""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from reader_agent.agent import ReaderState
from reader_agent.client.errors import ServiceError
from reader_agent.client.service import ServiceClient
from reader_agent.client.tokens import ReaderTokenSigner
from reader_agent.errors import NoCardError
from reader_agent.issuance_station import issue_card
from reader_agent.pcsc import CardWatcher, PcscConnection
from reader_agent.piv import PivClient
from reader_agent.settings import SettingsError, load_settings
from reader_agent.state.lock import DataDirLock
from reader_agent.sync.follower import TrustFollower
from reader_protocol.enrolment import ReaderMode


def _utc_now() -> datetime:
    return datetime.now(UTC)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="the station's reader.toml")
    parser.add_argument("--card-id", type=uuid.UUID, required=True, help="the requested card")
    parser.add_argument(
        "--wait", type=float, default=60.0, metavar="S", help="how long to wait for a card"
    )


def _wait_for_card(reader_name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with CardWatcher(reader_name) as watcher:
        while time.monotonic() < deadline:
            presence = watcher.wait(min(0.5, max(0.0, deadline - time.monotonic())))
            if presence is not None and presence.present:
                return
    raise NoCardError(f"no card was put in {reader_name!r} within {timeout:.0f} s")


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    with DataDirLock(settings.data_dir):
        state = ReaderState.restore(settings, now=_utc_now())
        if state.identity.mode is not ReaderMode.ISSUANCE:
            raise SettingsError("this reader is not enrolled as an issuance station")
        client = ServiceClient(
            settings.base_url,
            signer=ReaderTokenSigner(state.identity.reader_id, state.identity.private_key),
            timeout=settings.sync.request_timeout_seconds,
        )
        try:
            follower = TrustFollower(
                client, state.trust, state.config, clock=_utc_now, stop=threading.Event()
            )
            try:
                follower.catch_up(client.trust_state())
            except ServiceError as exc:
                print(f"could not refresh trust material ({exc}); using what is held")
            print(f"put the blank card in {settings.reader.pcsc_reader!r}", flush=True)
            _wait_for_card(settings.reader.pcsc_reader, args.wait)
            with PcscConnection(settings.reader.pcsc_reader) as connection:
                issued = issue_card(
                    PivClient(connection, extended_length=settings.reader.extended_length),
                    client,
                    args.card_id,
                    now=_utc_now,
                    verifier=state.trust.verifier,
                    say=lambda line: print(line, flush=True),
                )
        finally:
            client.close()
    print(
        f"issued: card {issued.card_serial} ({issued.card_id}) for {issued.holder_name}, "
        f"certificate serial {issued.certificate_serial:x}, state {issued.state}",
        flush=True,
    )
    return 0
