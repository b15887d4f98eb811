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
import http.client
import json
import multiprocessing
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier as BarrierType
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
from cryptography.hazmat.primitives import hashes, serialization
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


def _post(
    connection: http.client.HTTPConnection, path: str, headers: dict[str, str], body: bytes
) -> dict[str, object]:
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{path}: {response.status} {payload[:200]!r}")
    answer: dict[str, object] = json.loads(payload)
    return answer


@dataclass(frozen=True)
class _Load:
    """What each client process needs (picklable)."""

    base_url: str
    headers: dict[str, str]
    certificate: str
    key_der: bytes
    seconds: float


def _client(load: _Load, ready: BarrierType, results: Queue[int]) -> None:
    """One load-generating client in its own process: keep-alive http.client, which
    costs the shared CPU far less per request than a full-featured HTTP client."""
    key = serialization.load_der_private_key(load.key_der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError("the card key is not an elliptic-curve key")
    url = urlsplit(load.base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    headers = load.headers
    json_headers = {**headers, "Content-Type": "application/json"}
    count = 0
    ready.wait()
    stop = time.monotonic() + load.seconds
    while time.monotonic() < stop:
        challenge = _post(connection, "/api/v1/verify/challenges", headers, b"")
        result = _post(
            connection,
            "/api/v1/verify",
            json_headers,
            json.dumps(
                {
                    "challenge_id": challenge["challenge_id"],
                    "certificate": load.certificate,
                    "signature": _sign(key, str(challenge["challenge"])),
                }
            ).encode(),
        )
        if result["verdict"] != "valid":
            raise RuntimeError(f"verification failed: {result}")
        count += 1
    connection.close()
    results.put(count)


def api_rate(
    base_url: str,
    headers: dict[str, str],
    certificate: str,
    key: ec.EllipticCurvePrivateKey,
    *,
    seconds: float,
    clients: int,
) -> float:
    """Verifications per second from ``clients`` processes that start together and each
    run for ``seconds`` (their start-up is outside the measured window)."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(clients)
    results: Queue[int] = context.Queue()
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    processes = [
        context.Process(
            target=_client,
            args=(_Load(base_url, headers, certificate, key_der, seconds), ready, results),
        )
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    counts = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a load client failed (exit {process.exitcode})")
    return sum(counts) / seconds


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
