"""The counter screen: a small web page on 127.0.0.1 for the clerk, served by the
standard library's HTTP server (one page, a few JSON calls; nothing to install).

    GET  /               the page (static/index.html, counter.js, counter.css)
    GET  /api/state      what the screen shows (view.screen_state)
    POST /api/read       {"can": "123456"} or {"mrz": {document_number, date_of_birth,
                         date_of_expiry}}: read and verify the citizen's card
    POST /api/start      {service_code, legal_basis, consent, manual_check}
    POST /api/end        end the session (and drop the citizen's data)
    POST /api/clear      drop the citizen's data now

Only the clerk's own browser on this PC should reach it: it listens on 127.0.0.1
only, answers only requests whose Host is 127.0.0.1 or localhost at its port (a DNS
rebinding page cannot read it), and takes POSTs only as JSON from its own origin (a
web page elsewhere cannot make the browser send one without a CORS preflight, which
is never granted). Every answer is ``Cache-Control: no-store``. Request bodies, the
CAN and the answers are never logged.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from reader_agent.counter.desk import CounterDesk, DeskError, StartRequest
from reader_agent.counter.view import CounterInfo, screen_state
from reader_agent.emrtd.errors import EmrtdError
from reader_agent.emrtd.keys.access import AccessKey, CanKey, MrzKey
from reader_protocol.counter import LegalBasis

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
STATIC = Path(__file__).parent / "static"
FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/counter.js": ("counter.js", "text/javascript; charset=utf-8"),
    "/counter.css": ("counter.css", "text/css; charset=utf-8"),
}
MAX_BODY = 4096
CAN_DIGITS = 6
MRZ_NUMBER = re.compile(r"[0-9A-Z<]{1,20}")
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'none'"
    ),
}


class BadRequestError(Exception):
    """A request the screen refuses (its message never quotes the body)."""


class CounterScreen:
    """Serves the screen for one desk. ``start()`` binds and serves in a thread."""

    def __init__(
        self,
        desk: CounterDesk,
        info: CounterInfo,
        *,
        port: int,
        default_legal_basis: LegalBasis | None = None,
        csca_count: Callable[[], int] = lambda: 0,
    ) -> None:
        self.desk = desk
        self.info = info
        self.default_legal_basis = default_legal_basis
        self.csca_count = csca_count
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            return self._port
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"

    def start(self) -> None:
        screen = self

        class Handler(ScreenHandler):
            owner = screen

        self._server = ThreadingHTTPServer((LOOPBACK, self._port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="counter-screen", daemon=True
        )
        self._thread.start()
        logger.info("counter screen at %s", self.url)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def state(self) -> dict[str, Any]:
        return screen_state(
            self.desk.state(),
            self.info,
            default_legal_basis=self.default_legal_basis,
            csca_count=self.csca_count(),
        )

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if path == "/api/read":
            self.desk.read(access_key(body))
        elif path == "/api/start":
            self.desk.start(start_request(body))
            self.info.invalidate()
        elif path == "/api/end":
            self.desk.end()
            self.info.invalidate()
        elif path == "/api/clear":
            self.desk.clear()
        else:
            raise LookupError(path)
        return self.state()


class ScreenHandler(BaseHTTPRequestHandler):
    owner: CounterScreen
    server_version = "counter-screen"
    sys_version = ""

    def do_GET(self) -> None:
        if not self._host_ok():
            self._send(HTTPStatus.MISDIRECTED_REQUEST, {"error": "host"})
            return
        if self.path == "/api/state":
            self._send(HTTPStatus.OK, self.owner.state())
            return
        served = FILES.get(self.path)
        if served is None:
            self._send(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        name, media_type = served
        self._send_bytes(HTTPStatus.OK, (STATIC / name).read_bytes(), media_type)

    def do_POST(self) -> None:
        if not (self._host_ok() and self._origin_ok()):
            self._send(HTTPStatus.FORBIDDEN, {"error": "origin"})
            return
        try:
            body = self._json_body()
            self._send(HTTPStatus.OK, self.owner.post(self.path, body))
        except LookupError:
            self._send(HTTPStatus.NOT_FOUND, {"error": "not_found"})
        except BadRequestError as exc:
            self._send(HTTPStatus.BAD_REQUEST, {"error": "bad_input", "message": str(exc)})
        except DeskError as exc:
            answer = {"error": exc.code, "message": exc.message, "retries_left": exc.retries_left}
            self._send(HTTPStatus.CONFLICT, answer | {"state": self.owner.state()})

    def log_message(self, format: str, *args: Any) -> None:
        """Nothing per request: the desk logs outcomes and codes; request lines would add
        a line every two seconds (the page polls) and nothing a reader of the log needs."""

    # ------------------------------------------------------------------ plumbing

    def _host_ok(self) -> bool:
        port = self.owner.port
        return self.headers.get("Host", "") in {f"{LOOPBACK}:{port}", f"localhost:{port}"}

    def _origin_ok(self) -> bool:
        origin = self.headers.get("Origin")
        if origin is None:
            return True  # not a browser's cross-site request (those always carry Origin)
        port = self.owner.port
        return origin in {f"http://{LOOPBACK}:{port}", f"http://localhost:{port}"}

    def _json_body(self) -> dict[str, Any]:
        if self.headers.get_content_type() != "application/json":
            raise BadRequestError("JSON bodies only")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise BadRequestError("body too large")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            raise BadRequestError("body is not JSON") from None
        if not isinstance(body, dict):
            raise BadRequestError("body must be a JSON object")
        return body

    def _send(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._send_bytes(status, data, "application/json; charset=utf-8")

    def _send_bytes(self, status: HTTPStatus, data: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def access_key(body: dict[str, Any]) -> AccessKey:
    """The CAN, or the MRZ's three fields, from the clerk's input."""
    can = body.get("can")
    if isinstance(can, str) and can.strip():
        can = can.strip()
        if len(can) != CAN_DIGITS or not can.isdigit():
            raise BadRequestError("the CAN is six digits")
        return CanKey(can)
    mrz = body.get("mrz")
    if not isinstance(mrz, dict):
        raise BadRequestError("give the CAN or the MRZ fields")
    number = str(mrz.get("document_number", "")).strip().upper()
    if not MRZ_NUMBER.fullmatch(number):
        raise BadRequestError("MRZ: the document number is letters and digits")
    try:
        return MrzKey(
            number,
            str(mrz.get("date_of_birth", "")).strip(),
            str(mrz.get("date_of_expiry", "")).strip(),
        )
    except EmrtdError:
        raise BadRequestError("MRZ: document number, and dates as YYMMDD") from None


def start_request(body: dict[str, Any]) -> StartRequest:
    service = body.get("service_code")
    if not isinstance(service, str) or not service:
        raise BadRequestError("choose a service")
    try:
        basis = LegalBasis(str(body.get("legal_basis")))
    except ValueError:
        raise BadRequestError("choose the legal basis") from None
    return StartRequest(
        service_code=service,
        legal_basis=basis,
        consent_confirmed=body.get("consent") is True,
        manual_check=body.get("manual_check") is True,
    )
