"""Every forged, stale or malformed access token is a 401 with no detail."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from card_service.auth.keys import public_key_id


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def claims(org, clock) -> dict[str, object]:
    now = int(clock.now.timestamp())
    return {
        "iss": "https://ecard.test",
        "aud": "ecard-api",
        "sub": str(org.users["admin"].id),
        "iat": now,
        "exp": now + 300,
        "jti": "x1",
    }


@pytest.fixture
def kid(auth_key) -> str:
    return public_key_id(auth_key.public_key())


def _status(client, token: str) -> int:
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    if response.status_code == 401:
        assert response.json()["code"] in {"invalid_token", "not_authenticated"}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    return int(response.status_code)


def test_a_well_formed_token_is_accepted(client, claims, auth_key, kid) -> None:
    token = jwt.encode(claims, auth_key, algorithm="ES256", headers={"kid": kid})
    assert _status(client, token) == 200  # the control: the attacks below differ by one thing


def test_alg_none(client, claims, kid) -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}."
    assert _status(client, token) == 401


def test_hs256_signed_with_the_public_key(client, claims, auth_key, kid) -> None:
    public_pem = auth_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{_b64(header)}.{_b64(claims)}".encode()
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    token = signing_input.decode() + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    assert _status(client, token) == 401


@pytest.mark.parametrize("missing", ["exp", "aud", "iss", "sub", "iat", "jti"])
def test_missing_required_claim(client, claims, auth_key, kid, missing) -> None:
    del claims[missing]
    token = jwt.encode(claims, auth_key, algorithm="ES256", headers={"kid": kid})
    assert _status(client, token) == 401


@pytest.mark.parametrize(("claim", "value"), [("aud", "another-api"), ("iss", "https://evil")])
def test_wrong_audience_or_issuer(client, claims, auth_key, kid, claim, value) -> None:
    claims[claim] = value
    token = jwt.encode(claims, auth_key, algorithm="ES256", headers={"kid": kid})
    assert _status(client, token) == 401


def test_expired_beyond_leeway(client, claims, auth_key, kid, clock) -> None:
    token = jwt.encode(claims, auth_key, algorithm="ES256", headers={"kid": kid})
    clock.advance(seconds=300 + 31)
    assert _status(client, token) == 401


def test_expired_within_leeway_is_still_accepted(client, claims, auth_key, kid, clock) -> None:
    token = jwt.encode(claims, auth_key, algorithm="ES256", headers={"kid": kid})
    clock.now += timedelta(seconds=300 + 20)
    assert _status(client, token) == 200


def test_issued_in_the_future(client, claims, auth_key, kid) -> None:
    claims["iat"] += 600
    claims["exp"] += 600
    token = jwt.encode(claims, auth_key, algorithm="ES256", headers={"kid": kid})
    assert _status(client, token) == 401


def test_unknown_key_id(client, claims, auth_key) -> None:
    token = jwt.encode(claims, auth_key, algorithm="ES256", headers={"kid": "not-our-key"})
    assert _status(client, token) == 401


def test_signed_by_another_key_with_our_kid(client, claims, kid) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(claims, other, algorithm="ES256", headers={"kid": kid})
    assert _status(client, token) == 401


def test_oversized_token(client, claims, auth_key, kid) -> None:
    claims["padding"] = "x" * 5000
    token = jwt.encode(claims, auth_key, algorithm="ES256", headers={"kid": kid})
    assert _status(client, token) == 401


@pytest.mark.parametrize("raw", ["", "garbage", "a.b.c", "Basic dXNlcjpwYXNz"])
def test_garbage(client, raw) -> None:
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_no_authorization_header(client) -> None:
    assert client.get("/api/v1/auth/me").status_code == 401
