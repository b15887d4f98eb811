"""What the cryptography of one tap costs, against one raw P-256 signature verification.

    python -m bench.crypto_decision [--entries N] [--taps N] [--rounds N]

Measures, in one run and interleaved round by round (so machine noise hits all three
alike):

- ``raw``: one ECDSA P-256 verification of a card's answer (the unit);
- ``cold``: ``TapVerifier.verify_tap`` with a different card every tap (parse, profile
  check, issuer signature, validity, revocation lookup, challenge signature);
- ``warm``: the same card tapping again (its certificate is cached: validity,
  revocation and the challenge signature are still checked).

The verifier holds a revocation list of ``--entries`` entries (default 1,000,000);
the line before the last reports what loading it cost. Garbage collection is off while
timing, as timeit does. The last line is
``crypto_decision: cold_ratio=<cold/raw> warm_ratio=<warm/raw> cold_us=<median>
warm_us=<median>``. Targets (issue 3): cold_ratio <= 2.5, warm_ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import gc
import secrets
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from bench.stats import median
from crypto import challenge
from crypto.card_certificates import (
    CardCertificateProfile,
    issue_card_certificate,
    parse_card_certificate,
)
from crypto.issuers import CertificateAuthority, create_root_ca, issue_issuing_ca
from crypto.revocation import RevocationReason, RevokedCertificate, build_crl
from crypto.signers import FileSigner
from crypto.tap import TapVerifier
from crypto.trust import IssuerStatus, TrustBundleEntry, sign_trust_bundle, verify_trust_bundle

NOW = datetime(2026, 1, 5, 7, 30, tzinfo=UTC)
PIV = ec.ECDSA(utils.Prehashed(hashes.SHA256()))
REASONS = [
    RevocationReason.KEY_COMPROMISE,
    RevocationReason.AFFILIATION_CHANGED,
    RevocationReason.SUPERSEDED,
    RevocationReason.CESSATION_OF_OPERATION,
    RevocationReason.CERTIFICATE_HOLD,
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--taps", type=int, default=2000, help="distinct cards for cold taps")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    root = create_root_ca(FileSigner.generate(), common_name="Root", organization="Bench", now=NOW)
    signer = FileSigner.generate()
    issuing = CertificateAuthority(
        signer,
        issue_issuing_ca(
            root, signer.public_key, common_name="Issuing", organization="Bench", now=NOW
        ),
    )
    raw_bundle = sign_trust_bundle(
        root,
        [TrustBundleEntry(issuing.certificate, IssuerStatus.TRUSTED, NOW)],
        sequence=1,
        now=NOW,
    )
    verifier = TapVerifier(verify_trust_bundle(raw_bundle, roots=[root.certificate], now=NOW))
    load_revocation_list(verifier, issuing, args.entries)

    profile = CardCertificateProfile(crl_url="https://ecard.example/crl/issuing.crl")
    cards = []
    for _ in range(args.taps + 1):  # the last one is the warm card, never timed cold
        key = ec.generate_private_key(ec.SECP256R1())
        der = issue_card_certificate(
            issuing,
            card_id=uuid4(),
            holder_id=uuid4(),
            card_public_key=key.public_key(),
            now=NOW,
            profile=profile,
        )
        cards.append((der, key))

    per_round = max(1, args.taps // args.rounds)
    raw_samples: list[float] = []
    cold_samples: list[float] = []
    warm_samples: list[float] = []
    warm_der, warm_key = cards.pop()
    tap_at = NOW + timedelta(hours=1)
    answer = _answers(warm_key, 1, tap_at)[0]
    verifier.verify_tap(warm_der, answer[0], answer[1], now=tap_at)  # warm it
    for round_number in range(args.rounds):
        batch = cards[round_number * per_round : (round_number + 1) * per_round]
        cold = [(der, *_answers(key, 1, tap_at)[0]) for der, key in batch]
        warm = _answers(warm_key, per_round, tap_at)
        # The unit: the card key as a verifier holds it (loaded from the certificate).
        raw = [
            (parse_card_certificate(der).public_key, state.challenge, signature)
            for (der, _), (_, state, signature) in zip(batch, cold, strict=True)
        ]
        gc.disable()
        try:
            for public_key, data, signature in raw:
                start = time.perf_counter_ns()
                public_key.verify(signature, data, PIV)
                raw_samples.append((time.perf_counter_ns() - start) / 1000)
            for der, state, signature in cold:
                start = time.perf_counter_ns()
                verifier.verify_tap(der, state, signature, now=tap_at)
                cold_samples.append((time.perf_counter_ns() - start) / 1000)
            for state, signature in warm:
                start = time.perf_counter_ns()
                verifier.verify_tap(warm_der, state, signature, now=tap_at)
                warm_samples.append((time.perf_counter_ns() - start) / 1000)
        finally:
            gc.enable()

    raw_us, cold_us, warm_us = median(raw_samples), median(cold_samples), median(warm_samples)
    print(f"raw_verify: median_us={raw_us:.1f} samples={len(raw_samples)}")
    print(f"cold_tap: median_us={cold_us:.1f} samples={len(cold_samples)}")
    print(f"warm_tap: median_us={warm_us:.1f} samples={len(warm_samples)}")
    print(
        f"crypto_decision: cold_ratio={cold_us / raw_us:.2f} warm_ratio={warm_us / raw_us:.2f} "
        f"cold_us={cold_us:.1f} warm_us={warm_us:.1f}"
    )


def _answers(
    key: ec.EllipticCurvePrivateKey, count: int, now: datetime
) -> list[tuple[challenge.ChallengeState, bytes]]:
    out = []
    for _ in range(count):
        sent, state = challenge.begin(now=now)
        out.append((state, key.sign(sent, PIV)))
    return out


def load_revocation_list(
    verifier: TapVerifier, issuing: CertificateAuthority, entries: int
) -> None:
    start = time.perf_counter()
    revoked = [
        RevokedCertificate(
            secrets.randbits(159) | 1 << 158,
            NOW - timedelta(minutes=index % 100_000),
            REASONS[index % len(REASONS)],
        )
        for index in range(entries)
    ]
    crl = build_crl(
        issuing, revoked, number=1, this_update=NOW, next_update=NOW + timedelta(days=1)
    )
    del revoked
    built = time.perf_counter() - start
    gc.collect()
    start = time.perf_counter()
    revocation = verifier.accept_revocation_list(crl, now=NOW)
    loaded = time.perf_counter() - start
    # Memory, measured on a second load into a throw-away verifier: what stays held
    # after loading (the packed index) and the peak while parsing.
    scratch = TapVerifier(verifier.trust)
    gc.collect()
    tracemalloc.start()
    scratch.accept_revocation_list(crl, now=NOW)
    gc.collect()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del scratch
    print(
        f"revocation_list: entries={len(revocation)} der_bytes={len(crl)} "
        f"build_s={built:.1f} verify_and_load_s={loaded:.1f} "
        f"retained_bytes_per_entry={retained / max(1, entries):.1f} "
        f"peak_bytes_per_entry={peak / max(1, entries):.1f}"
    )


if __name__ == "__main__":
    main()
