"""The HTTP client against a fake service: a fresh token per request, a drifted clock
corrected from the service's 401, problems mapped to errors."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from reader_agent.client import (
    ReaderTokenSigner,
    ServiceClient,
    ServiceError,
    ServiceRefusedError,
    ServiceUnavailableError,
)
from reader_protocol import auth as spec
from reader_protocol.enrolment import EnrolmentRequest, ReaderMode
from tests.reader_agent.fake_service import FakeService


@pytest.fixture
def service(door_pki) -> FakeService:
    return FakeService(door_pki, clock=lambda: door_pki.now)


def _client(service: FakeService, *, skew: timedelta = timedelta(0)) -> ServiceClient:
    key = ec.generate_private_key(ec.SECP256R1())
    service.reader_key = key.public_key()
    signer = ReaderTokenSigner(service.pki.reader_id, key, clock=lambda: service.pki.now + skew)
    return ServiceClient("http://service", signer=signer, transport=service.transport())


def test_each_request_carries_a_fresh_token_as_the_spec_says(service):
    seen: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def spy(request):
        token = request.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        seen.append((jwt.get_unverified_header(token), claims))
        return service.handle(request)

    signer = _client(service).signer
    client = ServiceClient("http://service", signer=signer, transport=httpx2.MockTransport(spy))
    client.trust_state()
    client.trust_bundle()
    (header1, claims1), (_, claims2) = seen
    assert header1["alg"] == "ES256"
    assert header1["kid"] == str(service.pki.reader_id)
    assert claims1["iss"] == f"reader:{service.pki.reader_id}"
    assert claims1["sub"] == str(service.pki.reader_id)
    assert claims1["aud"] == spec.READER_AUDIENCE
    assert claims1["exp"] - claims1["iat"] == spec.MAX_LIFETIME_SECONDS
    assert claims1["jti"] != claims2["jti"]


def test_a_reader_whose_clock_drifted_corrects_it_from_the_services_answer(service):
    client = _client(service, skew=timedelta(minutes=-20))
    state = client.trust_state()  # 401 with server_time, then a corrected token
    assert state.trust_bundle_sequence == 1
    assert client.signer is not None
    assert abs(client.signer.offset - timedelta(minutes=20)) < timedelta(seconds=2)
    assert service.requests == ["GET /api/v1/trust/state", "GET /api/v1/trust/state"]
    client.trust_state()  # from now on the first try is right
    assert len(service.requests) == 3


def test_a_replayed_or_foreign_token_stays_refused(service):
    client = _client(service)
    service.reader_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(ServiceRefusedError) as refused:
        client.trust_state()
    assert (refused.value.status, refused.value.code) == (401, "reader_not_authenticated")


def test_delta_answers(service, door_pki):
    client = _client(service)
    assert client.delta_crl(door_pki.issuer_key_id, 1) is None  # 204: current
    service.delta_number, service.delta_base = 3, 2
    service.delta = b"delta"
    with pytest.raises(ServiceRefusedError) as refused:
        client.delta_crl(door_pki.issuer_key_id, 1)
    assert refused.value.code == "delta_unavailable"
    assert client.delta_crl(door_pki.issuer_key_id, 2) == b"delta"


def test_an_unreachable_service_is_unavailable_not_refused(service):
    client = _client(service)
    service.down = True
    with pytest.raises(ServiceUnavailableError):
        client.trust_state()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, ServiceUnavailableError),
        (503, ServiceUnavailableError),
        (429, ServiceUnavailableError),
        (403, ServiceRefusedError),
        (422, ServiceRefusedError),
    ],
)
def test_5xx_and_429_are_worth_retrying_other_4xx_are_not(status, error):
    transport = httpx2.MockTransport(
        lambda _request: httpx2.Response(status, json={"code": "x", "detail": "y"})
    )
    request = EnrolmentRequest(
        token="t" * 20, site_unit_id=uuid.uuid4(), mode=ReaderMode.DOOR, public_key=b"k"
    )
    with pytest.raises(error):
        ServiceClient("http://s", transport=transport).enrol(request)


def test_without_a_key_only_enrolment_is_possible():
    client = ServiceClient(
        "http://s", transport=httpx2.MockTransport(lambda _r: httpx2.Response(200))
    )
    with pytest.raises(ServiceError, match="enrol the reader first"):
        client.trust_state()
