"""The card's part of a tap through pyscard + pcscd + vpcd + the virtual PIV card:
SELECT, GET DATA of the card-authentication certificate (~670 bytes, so GET
RESPONSE too) and GENERAL AUTHENTICATE with key 9E over a fresh 32-byte challenge.

Certificate and signature checks are not included (crypto's benchmark covers
them); neither is connecting to the card.

    python -m bench.piv_tap_apdus [--count N] [--extended]

Last line: ``piv_tap_apdus: p50_ms=<n> p95_ms=<n> count=<n> apdus=<n>``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bench.stack import ensure_pcscd
from bench.stats import median, percentile
from reader_agent.pcsc import PcscConnection
from reader_agent.piv import DEFAULT_MANAGEMENT_KEY, PivClient, Slot
from reader_agent.virtual.launcher import virtual_card_process
from reader_agent.virtual.piv_card import PivCard
from reader_agent.virtual.piv_direct import DirectConnection

CARD_AUTH_EKU = x509.ObjectIdentifier("2.16.840.1.101.3.6.8")


class CountingConnection:
    """Counts the APDUs one tap takes (GET RESPONSE included)."""

    def __init__(self, inner: PcscConnection) -> None:
        self.inner = inner
        self.count = 0

    def transmit(self, apdu: bytes) -> bytes:
        self.count += 1
        return self.inner.transmit(apdu)


def issue_card(state: Path) -> None:
    """Personalise a card in-process, as issuance would over PC/SC."""
    client = PivClient(DirectConnection(PivCard.open(state)))
    client.select()
    public_key = client.generate_key(
        Slot.CARD_AUTHENTICATION, management_key=DEFAULT_MANAGEMENT_KEY
    )
    issuer_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn An")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Huế e-card issuer")]))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * 5))
        .add_extension(x509.ExtendedKeyUsage([CARD_AUTH_EKU]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(uuid.uuid4().urn)]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )
    client.put_certificate(
        Slot.CARD_AUTHENTICATION, certificate.public_bytes(serialization.Encoding.DER)
    )


def tap(client: PivClient) -> None:
    client.select()
    client.read_certificate(Slot.CARD_AUTHENTICATION)
    client.authenticate(Slot.CARD_AUTHENTICATION, os.urandom(32))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--extended", action="store_true", help="extended-length APDUs")
    args = parser.parse_args()

    ensure_pcscd()
    with tempfile.TemporaryDirectory() as directory:
        state = Path(directory) / "card.json"
        issue_card(state)
        with (
            virtual_card_process(["--kind", "piv", "--state", str(state)]) as card,
            PcscConnection(card.reader_name) as connection,
        ):
            counting = CountingConnection(connection)
            client = PivClient(counting, extended_length=args.extended)
            for _ in range(20):  # warm-up
                tap(client)
            counting.count = 0
            samples = []
            for _ in range(args.count):
                start = time.perf_counter_ns()
                tap(client)
                samples.append((time.perf_counter_ns() - start) / 1e6)
    print(
        f"piv_tap_apdus: p50_ms={median(samples):.2f} "
        f"p95_ms={percentile(samples, 0.95):.2f} count={args.count} "
        f"apdus={counting.count // args.count}"
    )


if __name__ == "__main__":
    main()
