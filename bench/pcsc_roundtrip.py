"""One APDU round trip through pyscard + pcscd + vpcd + a virtual card process.

This is the floor under every tap we measure later: what the PC/SC stack itself
costs per command, before any protocol or cryptography.

    python -m bench.pcsc_roundtrip [--count N]

Last line: ``pcsc_roundtrip: p50_us=<n> p95_us=<n> count=<n>``.
"""

from __future__ import annotations

import argparse
import time

from bench.stack import ensure_pcscd
from bench.stats import median, percentile
from reader_agent.pcsc import PcscConnection
from reader_agent.virtual.launcher import virtual_card_process
from reader_agent.virtual.ping_card import PING_AID

SELECT = bytes([0x00, 0xA4, 0x04, 0x00, len(PING_AID)]) + PING_AID
ECHO = bytes.fromhex("80EE000010") + bytes(range(16))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()

    ensure_pcscd()
    with (
        virtual_card_process(["--kind", "ping"]) as card,
        PcscConnection(card.reader_name) as connection,
    ):
        connection.transmit(SELECT)
        for _ in range(100):  # warm-up
            connection.transmit(ECHO)
        samples = []
        for _ in range(args.count):
            start = time.perf_counter_ns()
            connection.transmit(ECHO)
            samples.append((time.perf_counter_ns() - start) / 1000)
    print(
        f"pcsc_roundtrip: p50_us={median(samples):.0f} "
        f"p95_us={percentile(samples, 0.95):.0f} count={args.count}"
    )


if __name__ == "__main__":
    main()
