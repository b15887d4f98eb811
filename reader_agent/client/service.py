"""Typed calls to the service's reader-facing endpoints (all under /api/v1).

One attempt per call (plus one re-signed attempt after a 401 that told us the
service's time): retrying with back-off is the caller's policy (reader_agent.sync),
because only it knows whether waiting is better than failing. Transport failures and
5xx answers raise ``ServiceUnavailableError``; problem answers raise
``ServiceRefusedError`` with the problem's stable ``code``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import httpx2
from pydantic import BaseModel, ValidationError

from reader_agent.client.errors import (
    ServiceError,
    ServiceRefusedError,
    ServiceUnavailableError,
    UnexpectedAnswerError,
)
from reader_agent.client.tokens import ReaderTokenSigner
from reader_protocol import issuance as wire
from reader_protocol.enrolment import EnrolmentRequest, EnrolmentResponse
from reader_protocol.events import EventBatch, IngestResult
from reader_protocol.status import Heartbeat, HeartbeatAck
from reader_protocol.trust import CHANGE_FEED_EVENT, TrustState

logger = logging.getLogger(__name__)

API = "/api/v1"
DELTA_UNAVAILABLE = "delta_unavailable"
_UNAUTHORIZED = 401
_NO_CONTENT = 204
_CLIENT_ERRORS = range(400, 500)
_RETRY_LATER = {408, 425, 429}

Model = TypeVar("Model", bound=BaseModel)


class _ReaderAuth(httpx2.Auth):
    """Signs every request with a fresh token; after a 401 carrying the service's
    time, corrects the token clock and tries once more."""

    def __init__(self, signer: ReaderTokenSigner) -> None:
        self._signer = signer

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        request.headers["Authorization"] = f"Bearer {self._signer.token()}"
        response = yield request
        if response.status_code != _UNAUTHORIZED:
            return
        response.read()
        server_time = _server_time(response)
        if server_time is None:
            return
        logger.warning("service refused our token; correcting the token clock to its time")
        self._signer.observe_server_time(server_time)
        request.headers["Authorization"] = f"Bearer {self._signer.token()}"
        yield request


def _server_time(response: httpx2.Response) -> datetime | None:
    try:
        value = response.json().get("server_time")
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except (ValueError, AttributeError):
        return None


class ServiceClient:
    """The service at ``base_url``. Constructors do no I/O; ``close()`` when done."""

    def __init__(
        self,
        base_url: str,
        *,
        signer: ReaderTokenSigner | None = None,
        timeout: float = 10.0,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._signer = signer
        self._auth = _ReaderAuth(signer) if signer is not None else None
        self._client = httpx2.Client(
            base_url=self.base_url + API,
            timeout=httpx2.Timeout(timeout),
            transport=transport,
            headers={"User-Agent": "reader-agent"},
        )
        # The change feed stays open; keep-alives come every 15 s, so a read that
        # waits longer than this means the connection is dead.
        self._feed_timeout = httpx2.Timeout(timeout, read=45.0)

    @property
    def signer(self) -> ReaderTokenSigner | None:
        return self._signer

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------ enrolment and status

    def enrol(self, request: EnrolmentRequest) -> EnrolmentResponse:
        response = self._send("POST", "/reader/enrol", json=_json(request), auth=False)
        return _parse(EnrolmentResponse, response)

    def heartbeat(self, heartbeat: Heartbeat) -> HeartbeatAck:
        response = self._send("POST", "/reader/heartbeat", json=_json(heartbeat))
        return _parse(HeartbeatAck, response)

    def config_document(self) -> bytes:
        return self._send("GET", "/reader/config").content

    # ------------------------------------------------------------ trust material

    def trust_state(self) -> TrustState:
        return _parse(TrustState, self._send("GET", "/trust/state"))

    def trust_bundle(self) -> bytes:
        return self._send("GET", "/trust/bundle").content

    def complete_crl(self, issuer_key_id: str) -> bytes:
        return self._send("GET", f"/trust/crls/{issuer_key_id}.crl").content

    def delta_crl(self, issuer_key_id: str, since: int) -> bytes | None:
        """The delta for a reader holding ``since``; None when it is current. A
        ``ServiceRefusedError`` with code ``delta_unavailable`` means: fetch the
        complete list."""
        response = self._send(
            "GET", f"/trust/crls/{issuer_key_id}/delta", params={"since": str(since)}
        )
        return None if response.status_code == _NO_CONTENT else response.content

    @contextmanager
    def trust_events(self) -> Iterator[Iterator[TrustState]]:
        """The change feed: yields an iterator of TrustStates until the connection ends."""
        try:
            with self._client.sse(
                "/reader/trust-events", auth=self._require_auth(), timeout=self._feed_timeout
            ) as source:
                response = source.response
                if response.status_code >= _CLIENT_ERRORS.start:
                    response.read()
                    _raise_for_problem(response)
                yield _feed_states(source)
        except httpx2.HTTPError as exc:
            raise ServiceUnavailableError(f"change feed: {exc}") from exc

    # ------------------------------------------------------------ events

    def upload(self, batch: EventBatch) -> IngestResult:
        response = self._send("POST", "/events/batches", content=batch.model_dump_json())
        return _parse(IngestResult, response)

    # ------------------------------------------------------------ issuance station

    def issuance_begin(self, card_id: uuid.UUID) -> wire.IssuanceStarted:
        body = _json(wire.IssuanceBegin(card_id=card_id))
        return _parse(wire.IssuanceStarted, self._send("POST", "/issuance/begin", json=body))

    def issuance_certificate(
        self, session_id: uuid.UUID, request: wire.CertificateRequest
    ) -> wire.CertificateIssued:
        path = f"/issuance/{session_id}/certificate"
        return _parse(wire.CertificateIssued, self._send("POST", path, json=_json(request)))

    def issuance_activation_challenge(self, session_id: uuid.UUID) -> wire.ActivationChallenge:
        path = f"/issuance/{session_id}/activation-challenge"
        return _parse(wire.ActivationChallenge, self._send("POST", path))

    def issuance_activate(
        self, session_id: uuid.UUID, request: wire.ActivationRequest
    ) -> wire.IssuanceFinished:
        path = f"/issuance/{session_id}/activate"
        return _parse(wire.IssuanceFinished, self._send("POST", path, json=_json(request)))

    def issuance_cancel(self, card_id: uuid.UUID) -> wire.IssuanceFinished:
        path = f"/issuance/cards/{card_id}/cancel"
        return _parse(wire.IssuanceFinished, self._send("POST", path))

    # ------------------------------------------------------------ plumbing

    def _require_auth(self) -> httpx2.Auth:
        if self._auth is None:
            raise ServiceError("this client has no reader key; enrol the reader first")
        return self._auth

    def _send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        json: Any = None,
        content: str | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx2.Response:
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            response = self._client.request(
                method,
                path,
                json=json,
                content=content,
                params=params,
                headers=headers,
                auth=self._require_auth() if auth else None,
            )
        except httpx2.HTTPError as exc:
            raise ServiceUnavailableError(f"{method} {path}: {exc}") from exc
        if response.status_code >= _CLIENT_ERRORS.start:
            _raise_for_problem(response)
        return response


def _raise_for_problem(response: httpx2.Response) -> None:
    status = response.status_code
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    code = str(problem.get("code", f"http_{status}"))
    detail = str(problem.get("detail") or problem.get("title") or response.reason_phrase)
    if status in _CLIENT_ERRORS and status not in _RETRY_LATER:
        raise ServiceRefusedError(status, code, detail, problem)
    raise ServiceUnavailableError(f"service answered {status} {code}: {detail}")


def _parse(model: type[Model], response: httpx2.Response) -> Model:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise UnexpectedAnswerError(f"unreadable {model.__name__} from the service") from exc


def _json(message: BaseModel) -> Any:
    return message.model_dump(mode="json")


def _feed_states(source: httpx2.EventSource) -> Iterator[TrustState]:
    for event in source:
        if event.event != CHANGE_FEED_EVENT:
            continue
        try:
            yield TrustState.model_validate_json(event.data)
        except ValidationError:
            logger.warning("ignoring an unreadable change-feed event")
