"""A citizen ID card read through the whole stack: pyscard + pcscd + vpcd + the virtual
ICAO 9303 chip in its own process.

Each sample connects to the card, runs PACE with the CAN, reads EF.COM, DG1, DG13,
DG14 and EF.SOD, performs Chip Authentication, and verifies the verdict (Passive
Authentication against a master-list trust store, CA, expiry). A real chip adds its
own seconds; this measures what our software costs.

    python -m bench.emrtd_read [--count N]

Last line: ``emrtd_read: p50_ms=<n> p95_ms=<n>``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.stack import ensure_pcscd
from bench.stats import median, percentile
from crypto.emrtd import CscaTrustStore, load_master_list
from reader_agent.emrtd.keys.access import CanKey
from reader_agent.emrtd.session import ReadOptions, read_document
from reader_agent.emrtd.verdict import verify_document
from reader_agent.pcsc import PcscConnection
from reader_agent.virtual.id_card_state import initialise, load_trust_material
from reader_agent.virtual.launcher import virtual_id_card_process

OPTIONS = ReadOptions(data_groups=(1, 13), chip_authentication=True, active_authentication=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()

    ensure_pcscd()
    with tempfile.TemporaryDirectory(prefix="emrtd-bench-") as tmp:
        state = Path(tmp) / "card"
        now = datetime.now(UTC)
        citizen = initialise(state, now=now, seed=1)
        material = load_trust_material(state)
        store = CscaTrustStore()
        store.add_master_list(
            load_master_list(material.master_list, anchors=[material.csca_certificate], now=now)
        )
        key = CanKey(citizen.can)
        samples: list[float] = []
        with virtual_id_card_process(state) as card:
            for index in range(args.count + 3):
                start = time.perf_counter()
                with PcscConnection(card.reader_name) as connection:
                    document = read_document(connection, key, options=OPTIONS)
                verdict = verify_document(document, store, now=datetime.now(UTC))
                elapsed = (time.perf_counter() - start) * 1000
                if not verdict.accepted:
                    raise SystemExit(f"the virtual card was refused: {verdict.reasons}")
                if index >= 3:  # the first reads warm caches and imports
                    samples.append(elapsed)
    print(f"emrtd_read: p50_ms={median(samples):.0f} p95_ms={percentile(samples, 0.95):.0f}")


if __name__ == "__main__":
    main()
