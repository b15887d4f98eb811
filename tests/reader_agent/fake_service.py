"""The service's reader-facing API as an ``httpx2.MockTransport`` (fakes over mocks):
it checks every reader token as the real one does, serves a DoorPki's trust material,
stores events once by id, and can be taken down."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx2
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import BaseModel

from crypto import challenge
from crypto.card_certificates import issue_card_certificate, parse_card_certificate
from crypto.challenge import ChallengeState
from crypto.errors import ChallengeMismatchError
from crypto.keys import load_public_key_der, public_key_der
from reader_protocol import auth as spec
from reader_protocol import issuance as wire
from reader_protocol.enrolment import EnrolmentRequest, EnrolmentResponse
from reader_protocol.events import EventBatch, IngestResult, RefusalCode, RefusedEvent
from reader_protocol.ids import uuid7_time
from reader_protocol.status import Heartbeat, HeartbeatAck
from reader_protocol.trust import TrustState
from tests.reader_agent.door_pki import PROFILE, DoorPki

_DELTA = re.compile(r"^/api/v1/trust/crls/([0-9a-f]{40})/delta$")
_COMPLETE = re.compile(r"^/api/v1/trust/crls/([0-9a-f]{40})\.crl$")


@dataclass
class _Session:
    card_id: uuid.UUID
    nonce: bytes
    certificate: bytes | None = None
    activation: bytes | None = None


@dataclass
class FakeService:
    pki: DoorPki
    clock: Callable[[], datetime]
    token: str = "t" * 20
    reader_key: ec.EllipticCurvePublicKey | None = None
    down: bool = False
    bundle: bytes = b""
    bundle_sequence: int = 1
    complete: bytes = b""
    complete_number: int = 1
    delta: bytes | None = None
    delta_number: int | None = None
    delta_base: int | None = None
    config: bytes = b""
    config_version: int = 1
    refuse_ids: set[uuid.UUID] = field(default_factory=set)
    refuse_by_position: bool = False
    stored: dict[uuid.UUID, dict[str, object]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    jtis: set[str] = field(default_factory=set)
    heartbeats: list[Heartbeat] = field(default_factory=list)
    # issuance: card id -> holder; what the service certifies instead, when misbehaving
    cards: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    certify_other_key: bool = False
    active: set[uuid.UUID] = field(default_factory=set)
    _sessions: dict[str, _Session] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bundle = self.bundle or self.pki.bundle()
        self.complete = self.complete or self.pki.crl(number=self.complete_number)
        self.config = self.config or self.pki.config({}, version=self.config_version)

    @property
    def state(self) -> TrustState:
        return TrustState(
            trust_bundle_sequence=self.bundle_sequence,
            crl_numbers={self.pki.issuer_key_id: self.delta_number or self.complete_number},
            config_version=self.config_version,
            at=self.clock(),
        )

    def transport(self) -> httpx2.MockTransport:
        # Looked up per request, so a test may wrap ``handle`` after clients exist.
        return httpx2.MockTransport(lambda request: self.handle(request))  # noqa: PLW0108

    # ------------------------------------------------------------ routing

    def handle(self, request: httpx2.Request) -> httpx2.Response:  # noqa: PLR0911 - a router
        if self.down:
            raise httpx2.ConnectError("connection refused", request=request)
        path = request.url.path
        self.requests.append(f"{request.method} {path}")
        if path == "/api/v1/reader/enrol":
            return self._enrol(request)
        refusal = self._authenticate(request)
        if refusal is not None:
            return refusal
        if path == "/api/v1/reader/heartbeat":
            beat = Heartbeat.model_validate_json(request.content)
            self.heartbeats.append(beat)
            ack = HeartbeatAck(
                server_time=self.clock(),
                clock_offset_ms=0,
                config_version=self.config_version,
                trust_bundle_sequence=self.bundle_sequence,
                crl_numbers=self.state.crl_numbers,
            )
            return httpx2.Response(200, content=ack.model_dump_json())
        if path == "/api/v1/trust/state":
            return httpx2.Response(200, content=self.state.model_dump_json())
        if path == "/api/v1/trust/bundle":
            return httpx2.Response(200, content=self.bundle)
        if path == "/api/v1/reader/config":
            return httpx2.Response(200, content=self.config)
        if path == "/api/v1/reader/trust-events":
            body = f"event: trust\ndata: {self.state.model_dump_json()}\n\n: keep-alive\n\n"
            return httpx2.Response(
                200, content=body.encode(), headers={"Content-Type": "text/event-stream"}
            )
        if path == "/api/v1/events/batches":
            return self._ingest(request)
        if path.startswith("/api/v1/issuance/"):
            return self._issuance(path.removeprefix("/api/v1/issuance/"), request)
        if _COMPLETE.match(path):
            return httpx2.Response(200, content=self.complete)
        if match := _DELTA.match(path):
            del match
            return self._delta(int(request.url.params["since"]))
        return _problem(404, "not_found", "no such route")

    def _delta(self, since: int) -> httpx2.Response:
        newest = self.delta_number or self.complete_number
        if since >= newest:
            return httpx2.Response(204)
        if self.delta is None or self.delta_base is None or self.delta_base > since:
            return _problem(409, "delta_unavailable", "fetch the complete list")
        return httpx2.Response(200, content=self.delta)

    def _enrol(self, request: httpx2.Request) -> httpx2.Response:
        body = EnrolmentRequest.model_validate_json(request.content)
        if body.token != self.token:
            return _problem(403, "enrolment_refused", "unknown token")
        key = serialization.load_der_public_key(body.public_key)
        assert isinstance(key, ec.EllipticCurvePublicKey)
        self.reader_key = key
        answer = EnrolmentResponse(
            reader_id=self.pki.reader_id,
            name="Cửa chính",
            site_unit_id=body.site_unit_id,
            location="Cổng",
            mode=body.mode,
            root_certificates=[self.pki.root.certificate.public_bytes(serialization.Encoding.DER)],
            config_keys=[public_key_der(self.pki.config_signer.public_key)],
            server_time=self.clock(),
        )
        return httpx2.Response(200, content=answer.model_dump_json())

    def _authenticate(self, request: httpx2.Request) -> httpx2.Response | None:
        now = self.clock()
        refused = _problem(401, "reader_not_authenticated", "refused", server_time=now.isoformat())
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or self.reader_key is None:
            return refused
        try:
            claims = jwt.decode(
                header[7:],
                self.reader_key,
                algorithms=[spec.ALGORITHM],
                audience=spec.READER_AUDIENCE,
                issuer=spec.issuer_for(str(self.pki.reader_id)),
                options={
                    "require": ["exp", "iat", "iss", "aud", "sub", "jti"],
                    "verify_exp": False,
                },
            )
        except jwt.PyJWTError:
            return refused
        issued = datetime.fromtimestamp(claims["iat"], tz=now.tzinfo)
        if abs(now - issued) > timedelta(minutes=5) or claims["exp"] - claims["iat"] > 60:
            return refused
        if claims["jti"] in self.jtis:
            return refused
        self.jtis.add(claims["jti"])
        return None

    def _issuance(  # noqa: PLR0911 - one return per protocol step
        self, step: str, request: httpx2.Request
    ) -> httpx2.Response:
        """The station protocol with the checks the real service makes."""
        now = self.clock()
        expires = now + timedelta(minutes=5)
        if step == "begin":
            card_id = wire.IssuanceBegin.model_validate_json(request.content).card_id
            if card_id not in self.cards:
                return _problem(404, "card_not_found", "no such card")
            session = _Session(card_id, secrets.token_bytes(32))
            session_id = uuid.uuid4()
            self._sessions[str(session_id)] = session
            return _answer(
                wire.IssuanceStarted(
                    session_id=session_id,
                    card_id=card_id,
                    holder_id=self.cards[card_id],
                    holder_name="Lê Văn Cường",
                    card_serial="HUE-TEST-1",
                    nonce=session.nonce,
                    expires_at=expires,
                )
            )
        key, _, action = step.partition("/")
        session = self._sessions[key]
        if action == "certificate":
            body = wire.CertificateRequest.model_validate_json(request.content)
            card_key = load_public_key_der(body.public_key)
            proof = ChallengeState(session.nonce, now, expires)
            challenge.complete(proof, body.signature, card_key, now=now)
            if self.certify_other_key:
                card_key = ec.generate_private_key(ec.SECP256R1()).public_key()
            session.certificate = issue_card_certificate(
                self.pki.issuing,
                card_id=session.card_id,
                holder_id=self.cards[session.card_id],
                card_public_key=card_key,
                now=now,
                profile=PROFILE,
            )
            return _answer(
                wire.CertificateIssued(certificate=session.certificate, chuid_guid=session.card_id)
            )
        if action == "activation-challenge":
            session.activation = secrets.token_bytes(32)
            return _answer(wire.ActivationChallenge(nonce=session.activation, expires_at=expires))
        if action == "activate" and session.certificate and session.activation:
            signature = wire.ActivationRequest.model_validate_json(request.content).signature
            facts = parse_card_certificate(session.certificate)
            proof = ChallengeState(session.activation, now, expires)
            try:
                challenge.complete(proof, signature, facts.public_key, now=now)
            except ChallengeMismatchError:
                return _problem(422, "activation_not_proven", "bad signature")
            self.active.add(session.card_id)
            return _answer(wire.IssuanceFinished(card_id=session.card_id, state="active"))
        return _problem(404, "not_found", step)

    def _ingest(self, request: httpx2.Request) -> httpx2.Response:
        batch = EventBatch.model_validate_json(request.content)
        stored, duplicates, refused = [], [], []
        for index, event in enumerate(batch.events):
            assert uuid7_time(event.id) == event.occurred_at
            if event.id in self.refuse_ids:
                # An unreadable id is answered by position only (id null).
                refused.append(
                    RefusedEvent(
                        index=index,
                        id=None if self.refuse_by_position else event.id,
                        code=RefusalCode.UNKNOWN_CARD,
                        detail="x",
                    )
                )
            elif event.id in self.stored:
                duplicates.append(event.id)
            else:
                self.stored[event.id] = json.loads(event.model_dump_json())
                stored.append(event.id)
        result = IngestResult(
            stored=stored,
            duplicates=duplicates,
            refused=refused,
            received_at=self.clock(),
            clock_offset_ms=0,
        )
        return httpx2.Response(200, content=result.model_dump_json())


def _answer(model: BaseModel) -> httpx2.Response:
    return httpx2.Response(200, content=model.model_dump_json())


def _problem(status: int, code: str, detail: str, **extra: object) -> httpx2.Response:
    body = {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail}
    body.update(extra)
    return httpx2.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/problem+json"},
    )
