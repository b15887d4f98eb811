"""The real stack for end-to-end reader tests: card-service in a subprocess on its own
PostgreSQL database (restartable on the same port), reader agents as subprocesses
with their own reader.toml, a TCP proxy that can cut a reader off the network, an
HTTP proxy that can answer a reader's revocation-list requests with an older genuine
list, an issuance station, and read-only looks into the reader's outbox and the
service's event table."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
from cryptography import x509
from sqlalchemy import create_engine, text

from crypto.issuers import CertificateAuthority
from crypto.signers import FileSigner
from reader_agent.demo.admin import AdminApi
from tests.support.live_service import card_service, free_port

ROOT = Path(__file__).resolve().parents[2]


def wait_for(
    predicate: Callable[[], object],
    *,
    timeout: float,
    interval: float = 0.05,
    explain: Callable[[], str] = lambda: "",
) -> Any:
    """The predicate's first truthy value within ``timeout``; AssertionError otherwise
    (with ``explain()`` in its message: what the test can tell about why)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {predicate}\n{explain()}")
        time.sleep(interval)


@dataclass
class Service:
    """card-service on ``database_url``; ``start``/``kill``/``stop`` keep one port."""

    data_dir: Path
    database_url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ECARD_")}
        self.env.update(
            {
                "DATABASE_URL": self.database_url,
                "ECARD_DATA_DIR": str(self.data_dir),
                "ECARD_LOG_LEVEL": "WARNING",
                "ECARD_PUBLIC_BASE_URL": self.base_url,
            }
        )
        card_service("migrate", env=self.env)
        card_service("demo-seed", env=self.env)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "service.log"

    def start(self) -> None:
        # Into a file, never an undrained pipe: a service that logs more than a pipe
        # holds (64 KiB) blocks on its next log line and stops answering.
        with self.log_path.open("a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "card_service.cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        process = self.process

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"service exited: {self.log_path.read_text('utf-8')}")
            try:
                return httpx2.get(f"{self.base_url}/readyz", timeout=1).status_code == 200
            except httpx2.TransportError:
                return False

        wait_for(ready, timeout=30, interval=0.1)

    def kill(self) -> None:
        """The service vanishes (power cut, crash): no drain."""
        if self.process is not None:
            self.process.kill()
            self.process.communicate(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def admin(self) -> AdminApi:
        import json

        accounts = json.loads((self.data_dir / "demo-credentials.json").read_text("utf-8"))
        password = next(a["password"] for a in accounts if a["username"] == "admin")
        return AdminApi.sign_in(self.base_url, "admin", password)

    def issuing_ca(self) -> CertificateAuthority:
        """The service's current issuing CA with its private key, read from the service's
        file custody (data_dir/keys, encrypted with the generated demo passphrase kept
        beside the keys): what an operator with the key files could sign with."""
        engine = create_engine(_psycopg(self.database_url))
        try:
            with engine.connect() as connection:
                custody_name, certificate_der = connection.execute(
                    text(
                        "SELECT custody_name, certificate_der FROM issuer_keys "
                        "WHERE role = 'issuing' AND current"
                    )
                ).one()
        finally:
            engine.dispose()
        keys = self.data_dir / "keys"
        passphrase = (keys / "passphrase").read_bytes().strip()
        signer = FileSigner.load(keys / f"{custody_name}.p8", passphrase)
        return CertificateAuthority(signer, x509.load_der_x509_certificate(certificate_der))

    def events(self, reader_id: uuid.UUID) -> list[dict[str, Any]]:
        """The service's stored tap events of one reader (straight from the table)."""
        engine = create_engine(_psycopg(self.database_url))
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT id, reader_seq, decision, reason, card_id, holder_id, kind "
                        "FROM tap_events WHERE reader_id = :reader ORDER BY reader_seq"
                    ),
                    {"reader": reader_id},
                )
                return [dict(row._mapping) for row in rows]
        finally:
            engine.dispose()


def _psycopg(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@contextlib.contextmanager
def running(service: Service) -> Iterator[Service]:
    service.prepare()
    service.start()
    try:
        yield service
    finally:
        service.stop()


class TcpProxy:
    """127.0.0.1:port -> the service. ``cut()`` drops every connection and refuses new
    ones (the reader is off the network, the service is not); ``restore()`` ends it."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self._target = target_port
        self._open = threading.Event()
        self._open.set()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        self._open.clear()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def restore(self) -> None:
        self._open.set()

    def _accept(self) -> None:
        while True:
            client, _ = self._listener.accept()
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self._target), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


CRL_PATH = "/api/v1/trust/crls/"
DER_CRL = "application/pkix-crl"
# Hop-by-hop headers: each side of the proxy has its own connection.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class HttpProxy:
    """An HTTP reverse proxy 127.0.0.1:port -> the service, that can replay a CRL.

    While ``replay_crl(der)`` is in force, every request for a revocation list
    (complete or delta) is answered with ``der``: what a mirror or a man in the middle
    holding an older genuine list would do. Everything else is passed on as it is, the
    change feed (server-sent events) streamed as it comes. Each answer closes its
    connection (HTTP/1.0), so every request is seen here."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._lock = threading.Lock()
        self._replay: bytes | None = None
        self._streams: set[socket.socket] = set()
        self.replayed = 0  # requests answered with the replayed list
        self._server = _ProxyServer(self)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def replay_crl(self, der: bytes) -> None:
        with self._lock:
            self._replay = der

    def stop_replay(self) -> None:
        with self._lock:
            self._replay = None

    def close(self) -> None:
        """Stop, and end the streams still open: a service with an open change feed
        would wait for it when asked to stop."""
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            streams = list(self._streams)
        for upstream in streams:
            _hang_up(upstream)

    def replacement(self, method: str, path: str) -> bytes | None:
        """The replayed list, if this request is for a revocation list and one is set."""
        with self._lock:
            if self._replay is None or method != "GET" or not path.startswith(CRL_PATH):
                return None
            self.replayed += 1
            return self._replay

    @contextlib.contextmanager
    def streaming(self, upstream: socket.socket) -> Iterator[None]:
        with self._lock:
            self._streams.add(upstream)
        try:
            yield
        finally:
            with self._lock:
                self._streams.discard(upstream)


def _hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, proxy: HttpProxy) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.proxy = proxy


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _ProxyServer

    def do_GET(self) -> None:  # http.server's naming
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_PUT(self) -> None:
        self._forward()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the agent's and the service's logs say what matters

    def _forward(self) -> None:
        proxy = self.server.proxy
        replacement = proxy.replacement(self.command, self.path)
        if replacement is not None:
            self.send_response(200)
            self.send_header("Content-Type", DER_CRL)
            self.send_header("Content-Length", str(len(replacement)))
            self.end_headers()
            self.wfile.write(replacement)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream = http.client.HTTPConnection("127.0.0.1", proxy.target_port, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            if response.getheader("Content-Type", "").startswith("text/event-stream"):
                self.end_headers()
                self._stream(proxy, upstream, response)
                return
            data = response.read()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (OSError, http.client.HTTPException):
            return  # the service or the reader went away: the connection just ends
        finally:
            upstream.close()

    def _stream(
        self,
        proxy: HttpProxy,
        upstream: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
    ) -> None:
        """Pass the stream on until either side hangs up. The reader sends nothing
        after its request, so its connection becoming readable means it left: then the
        service's side is hung up too (it would otherwise wait for the next event)."""
        sock = upstream.sock
        if sock is None:
            return
        sock.settimeout(None)

        def watch_reader() -> None:
            with contextlib.suppress(OSError):
                self.connection.recv(1)
            _hang_up(sock)

        threading.Thread(target=watch_reader, daemon=True).start()
        with proxy.streaming(sock):
            while chunk := response.read1(65536):
                self.wfile.write(chunk)
                self.wfile.flush()


@dataclass
class ReaderAgent:
    """One reader: its directory, reader.toml and (when running) its process."""

    directory: Path
    service_url: str
    site_unit_id: uuid.UUID
    mode: str
    pcsc_reader: str
    extra: str = ""
    sync: str = "[sync]\nheartbeat_seconds = 5\nmax_backoff_seconds = 2\n"
    process: subprocess.Popen[str] | None = None
    reader_id: uuid.UUID | None = None

    @property
    def config(self) -> Path:
        return self.directory / "reader.toml"

    @property
    def outbox_path(self) -> Path:
        return self.directory / "data" / "outbox.sqlite3"

    def write_config(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f'service_url = "{self.service_url}"\n'
            'data_dir = "data"\n'
            f'[reader]\npcsc_reader = "{self.pcsc_reader}"\n'
            f'[enrolment]\nsite_unit_id = "{self.site_unit_id}"\nmode = "{self.mode}"\n'
            + self.sync
            + self.extra,
            encoding="utf-8",
        )

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reader_agent.cli", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def enrol(self, token: str) -> None:
        self.write_config()
        # "--token=...": a token may begin with "-", which argparse would take for an option.
        done = self.cli("enrol", "--config", str(self.config), f"--token={token}")
        assert done.returncode == 0, done.stderr
        assert "ready to decide offline" in done.stdout, done.stdout + done.stderr
        self.reader_id = uuid.UUID(done.stdout.split("reader ", 1)[1].split()[0])

    def start(self, *args: str) -> subprocess.Popen[str]:
        log = (self.directory / "agent.log").open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reader_agent.cli", "run", "--config", str(self.config), *args],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        log.close()
        return self.process

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def log(self) -> str:
        path = self.directory / "agent.log"
        return path.read_text("utf-8") if path.exists() else ""

    def explain(self) -> str:
        """Outbox states and the end of the agent's log, for a failing wait."""
        states: dict[str, int] = {}
        for decision in self.decisions():
            states[decision["state"]] = states.get(decision["state"], 0) + 1
        tail = "\n".join(self.log().splitlines()[-40:])
        return f"outbox states {states}; agent log ends:\n{tail}"

    def decisions(self) -> list[dict[str, Any]]:
        """Every decided tap in the outbox, read-only (the agent may be writing)."""
        if not self.outbox_path.exists():
            return []
        database = sqlite3.connect(f"file:{self.outbox_path}?mode=ro", uri=True, timeout=10)
        try:
            database.row_factory = sqlite3.Row
            rows = database.execute(
                "SELECT reader_seq, id, occurred_at, card_id, decision, reason, state "
                "FROM tap_events ORDER BY reader_seq"
            ).fetchall()
        except sqlite3.OperationalError:  # created but not yet initialised
            return []
        finally:
            database.close()
        return [dict(row) for row in rows]


@dataclass(frozen=True)
class VirtualStaffCard:
    card_id: uuid.UUID
    holder_id: uuid.UUID
    state: Path


@dataclass
class IssuanceStation:
    """An enrolled issuance station on a vpcd slot; it personalises any number of blank
    cards (the caller holds ``exclusive_slot(port)``)."""

    agent: ReaderAgent
    port: int

    @classmethod
    def enrol(
        cls, service: Service, admin: AdminApi, unit: uuid.UUID, directory: Path, port: int
    ) -> IssuanceStation:
        from reader_agent.virtual.launcher import vpcd_reader_name

        ticket = admin.register_reader(
            f"Trạm {uuid.uuid4().hex[:6]}", site_unit_id=unit, location="Phòng 2", mode="issuance"
        )
        agent = ReaderAgent(directory, service.base_url, unit, "issuance", vpcd_reader_name(port))
        agent.enrol(ticket.enrolment_token)
        return cls(agent, port)

    def issue(
        self, admin: AdminApi, unit: uuid.UUID, state: Path, *, holder: str = "Võ Thị Sáu"
    ) -> VirtualStaffCard:
        """A new holder, a requested card, and the blank virtual card in ``state``
        personalised here."""
        from reader_agent.virtual.launcher import inserted_card

        holder_id = admin.create_holder(holder, unit)
        card_id = admin.request_card(holder_id)
        config = str(self.agent.config)
        with inserted_card(["--state", str(state)], port=self.port):
            done = self.agent.cli("issue", "--config", config, "--card-id", str(card_id))
        assert done.returncode == 0, done.stderr
        return VirtualStaffCard(card_id, holder_id, state)


def issue_at_station(
    service: Service, admin: AdminApi, unit: uuid.UUID, directory: Path, port: int
) -> VirtualStaffCard:
    """A holder, a requested card, an enrolled station, and the blank virtual card
    personalised there (the caller holds ``exclusive_slot(port)``)."""
    station = IssuanceStation.enrol(service, admin, unit, directory / "station", port)
    return station.issue(admin, unit, directory / "card.json")
