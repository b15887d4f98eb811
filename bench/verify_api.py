"""Online verification throughput: HTTP against in-process, in one run.

    python -m bench.verify_api [--seconds 10] [--clients 8]

Starts its own service (one uvicorn worker) on a PostgreSQL database it creates and
drops (BENCH_DATABASE_URL, default the local server), issues a card through the
station protocol, then measures complete verifications (challenge + verify, two
requests) per second from concurrent clients, and the same verification done through
the service layer in this process (challenge + verify in one transaction each, no
HTTP). Last line: ``verify_api: rps=<api> ratio=<api/in-process>``.
"""

from __future__ import annotations

import argparse
import base64
import os
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from card_service.db.engine import Database
from card_service.verification import service as verification
from card_service.verification.verifier import ServiceVerifier
from reader_protocol.verification import VerificationRequest
from tests.support.databases import fresh_postgres_database, postgres_admin_url
from tests.support.live_service import enrol_reader, issue_card, running_service

PREHASHED = ec.ECDSA(utils.Prehashed(hashes.SHA256()))


def _sign(key: ec.EllipticCurvePrivateKey, challenge_b64: str) -> str:
    return base64.b64encode(key.sign(base64.b64decode(challenge_b64), PREHASHED)).decode()


def api_rate(
    base_url: str,
    headers: dict[str, str],
    certificate: str,
    key: ec.EllipticCurvePrivateKey,
    *,
    seconds: float,
    clients: int,
) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        with httpx2.Client(base_url=base_url, headers=headers, timeout=30) as client:
            while time.monotonic() < stop:
                challenge = client.post("/api/v1/verify/challenges").json()
                result = client.post(
                    "/api/v1/verify",
                    json={
                        "challenge_id": challenge["challenge_id"],
                        "certificate": certificate,
                        "signature": _sign(key, challenge["challenge"]),
                    },
                ).json()
                if result["verdict"] != "valid":
                    raise RuntimeError(f"verification failed: {result}")
                done[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def in_process_rate(
    database: Database,
    certificate: bytes,
    key: ec.EllipticCurvePrivateKey,
    *,
    seconds: float,
    caller: str,
) -> float:
    verifier = ServiceVerifier()
    count = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        now = datetime.now(UTC)
        with database.transaction() as session:
            challenge = verification.new_challenge(session, requested_by=caller, now=now)
        signature = key.sign(challenge.challenge, PREHASHED)
        with database.transaction() as session:
            result = verification.verify(
                session,
                verifier,
                VerificationRequest(
                    challenge_id=challenge.challenge_id,
                    certificate=certificate,
                    signature=signature,
                ),
                requested_by=caller,
                now=datetime.now(UTC),
            )
        if result.verdict != "valid":
            raise RuntimeError(f"verification failed: {result}")
        count += 1
    return count / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    admin_url = os.environ.get("BENCH_DATABASE_URL", postgres_admin_url())
    with (
        tempfile.TemporaryDirectory() as scratch,
        fresh_postgres_database(admin_url, prefix="ecard_bench") as url,
        running_service(Path(scratch), url) as live,
    ):
        admin = live.sign_in()
        units = httpx2.get(f"{live.base_url}/api/v1/units", headers=admin).json()["items"]
        root = next(u for u in units if u["code"] == "HUE")["id"]
        station = enrol_reader(live, admin, root, "issuance")
        issued = issue_card(live, admin, station, root)
        key, certificate = issued.key, issued.certificate
        counter = live.sign_in("counter.q01")
        certificate_b64 = base64.b64encode(certificate).decode()
        # Warm both paths (verifier caches, connection pools) before measuring.
        api_rate(live.base_url, counter, certificate_b64, key, seconds=1, clients=2)
        api = api_rate(
            live.base_url, counter, certificate_b64, key, seconds=args.seconds, clients=args.clients
        )
        database = Database.from_url(url)
        in_process_rate(database, certificate, key, seconds=1, caller="bench")
        local = in_process_rate(database, certificate, key, seconds=args.seconds, caller="bench")
        database.dispose()
    print(
        f"api: {api:.0f} verifications/s over {args.clients} clients; "
        f"in-process: {local:.0f} verifications/s"
    )
    print(f"verify_api: rps={api:.0f} ratio={api / local:.2f}")


if __name__ == "__main__":
    main()
