"""Full taps at a door through pyscard + pcscd + vpcd + the virtual PIV card process,
with the reader agent's own components in-process (no service needed):

    connect to the card, SELECT, read the card-authentication certificate, fresh
    challenge (GENERAL AUTHENTICATE 9E), crypto verification (issuer, validity,
    revocation, signature), policy, outbox commit (SQLite WAL, synchronous=FULL),
    door release (simulated), disconnect.

The PKI, trust bundle, revocation list and signed configuration are made locally, as
the service would; the outbox lives in a temporary directory (on the same filesystem
as the system's temporary files: its fsync is what a commit costs).

    python -m bench.tap_pcsc [--count N] [--extended] [--keep-connection]

Starts pcscd (with vpcd) when it is not running. Lines before the last give the
parts of a tap, measured in the same run; the last line is
``tap_pcsc: p50_ms=<n> p95_ms=<n>``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from bench.stack import ensure_pcscd
from bench.stats import median, percentile
from crypto.card_certificates import CardCertificateProfile, issue_card_certificate
from crypto.documents import sign_document
from crypto.issuers import CertificateAuthority, create_root_ca, issue_issuing_ca
from crypto.keys import key_id
from crypto.revocation import build_crl
from crypto.signers import FileSigner
from crypto.trust import IssuerStatus, TrustBundleEntry, sign_trust_bundle
from reader_agent.door import NullDoor
from reader_agent.feedback import InMemoryFeedback
from reader_agent.modes import TapKinds
from reader_agent.outbox import Outbox
from reader_agent.pcsc import PcscConnection
from reader_agent.piv import DEFAULT_MANAGEMENT_KEY, Chuid, PivClient, Slot
from reader_agent.state.config_store import ConfigStore
from reader_agent.state.trust_store import TrustStore
from reader_agent.tap import TapOptions, TapProcessor, TapResult
from reader_agent.virtual.launcher import virtual_card_process
from reader_agent.virtual.piv_card import PivCard
from reader_agent.virtual.piv_direct import DirectConnection
from reader_protocol.config import (
    CONFIG_KIND,
    CONFIG_VERSION,
    AccessRule,
    HolderInfo,
    ReaderConfig,
    RuleMember,
    TimeWindow,
)
from reader_protocol.enrolment import ReaderMode

WARM_UP = 20
ORG = "UBND Thành phố Huế"


class _Site:
    """What the service would have given the reader: trust material and its config."""

    def __init__(self, directory: Path, now: datetime) -> None:
        root = create_root_ca(
            FileSigner.generate(), common_name="Bench Root", organization=ORG, now=now
        )
        signer = FileSigner.generate()
        self.issuing = CertificateAuthority(
            signer,
            issue_issuing_ca(
                root, signer.public_key, common_name="Bench Issuing", organization=ORG, now=now
            ),
        )
        self.reader_id = uuid.uuid4()
        self.holder_id = uuid.uuid4()
        self.trust = TrustStore(directory / "trust", roots=[root.certificate])
        bundle = sign_trust_bundle(
            root,
            [TrustBundleEntry(self.issuing.certificate, IssuerStatus.TRUSTED, now)],
            sequence=1,
            now=now,
        )
        self.trust.offer_bundle(bundle, now=now)
        self.trust.offer_crl(
            build_crl(self.issuing, [], number=1, this_update=now, next_update=now + timedelta(1)),
            now=now,
        )
        config_signer = FileSigner.generate()
        self.config = ConfigStore(
            directory,
            keys={key_id(config_signer.public_key): config_signer.public_key},
            reader_id=self.reader_id,
        )
        self.config.offer(self._config(config_signer, now))

    def _config(self, signer: FileSigner, now: datetime) -> bytes:
        config = ReaderConfig(
            version=1,
            reader_id=self.reader_id,
            mode=ReaderMode.DOOR,
            site_unit_id=uuid.uuid4(),
            location="Bench",
            issued_at=now,
            max_crl_age_seconds=36 * 3600,
            debounce_seconds=0,
            door_release_ms=3000,
            rules=[
                AccessRule(
                    name="always",
                    members=[RuleMember(holder_id=self.holder_id)],
                    windows=[TimeWindow(weekday=d, start=dtime(0), end=dtime(0)) for d in range(7)],
                    closed_on_holidays=False,
                )
            ],
            holders=[HolderInfo(holder_id=self.holder_id, display_name="Nguyễn Văn An")],
            holidays=[],
        )
        return sign_document(
            signer, kind=CONFIG_KIND, version=CONFIG_VERSION, content=config.model_dump(mode="json")
        )

    def issue(self, state: Path, now: datetime) -> None:
        """Personalise a card in-process (issuance over PC/SC is tested elsewhere)."""
        client = PivClient(DirectConnection(PivCard.open(state)))
        client.select()
        public_key = client.generate_key(
            Slot.CARD_AUTHENTICATION, management_key=DEFAULT_MANAGEMENT_KEY
        )
        card_id = uuid.uuid4()
        certificate = issue_card_certificate(
            self.issuing,
            card_id=card_id,
            holder_id=self.holder_id,
            card_public_key=public_key,
            now=now,
            profile=CardCertificateProfile(crl_url="http://127.0.0.1/crl"),
        )
        client.put_certificate(Slot.CARD_AUTHENTICATION, certificate)
        client.put_chuid(Chuid(guid=card_id, expiration=date(2031, 12, 31)))


def _taps(
    processor: TapProcessor, reader_name: str, count: int, *, keep: bool
) -> Iterator[tuple[TapResult, float]]:
    """Each tap with its whole time in ms: connect (unless kept), tap, disconnect."""
    kept = PcscConnection(reader_name).open() if keep else None
    try:
        for _ in range(count):
            start = time.perf_counter()
            if kept is not None:
                result = processor.tap(kept)
            else:
                with PcscConnection(reader_name) as connection:
                    result = processor.tap(connection)
            yield result, (time.perf_counter() - start) * 1e3
    finally:
        if kept is not None:
            kept.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--extended", action="store_true", help="extended-length APDUs")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where the outbox lives (default: the temp dir)"
    )
    parser.add_argument(
        "--keep-connection",
        action="store_true",
        help="one PC/SC connection for all taps (leaves out connect and disconnect)",
    )
    args = parser.parse_args()

    ensure_pcscd()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(dir=args.dir) as temporary:
        directory = Path(temporary)
        site = _Site(directory, now)
        state = directory / "card.json"
        site.issue(state, now)
        outbox = Outbox.open(directory / "outbox.sqlite3")
        processor = TapProcessor(
            trust=site.trust,
            config=site.config,
            outbox=outbox,
            door=NullDoor(),
            feedback=InMemoryFeedback(),
            kinds=TapKinds(ReaderMode.DOOR),
            options=TapOptions(extended_length=args.extended, debounce_seconds=0),
        )
        totals: list[float] = []
        results: list[TapResult] = []
        with virtual_card_process(["--kind", "piv", "--state", str(state)]) as card:
            taps = _taps(
                processor, card.reader_name, WARM_UP + args.count, keep=args.keep_connection
            )
            for index, (result, total) in enumerate(taps):
                if not result.decision.granted:
                    raise SystemExit(f"tap {index} denied: {result.decision.reason}")
                if index >= WARM_UP:
                    totals.append(total)
                    results.append(result)
        outbox.close()

    def line(name: str, samples: list[float]) -> str:
        return f"{name}: p50_ms={median(samples):.2f} p95_ms={percentile(samples, 0.95):.2f}"

    print(line("  card (SELECT, certificate, challenge)", [r.timings.card_ms for r in results]))
    print(line("  decision (crypto + policy)", [r.timings.decision_ms for r in results]))
    print(line("  outbox commit (fsync)", [r.timings.outbox_ms for r in results]))
    print(
        f"  taps={args.count} connection={'kept' if args.keep_connection else 'per tap'} "
        f"apdus={'extended' if args.extended else 'short'}"
    )
    print(f"tap_pcsc: p50_ms={median(totals):.2f} p95_ms={percentile(totals, 0.95):.2f}")


if __name__ == "__main__":
    main()
