"""Challenge-response exactly as a PIV card answers GENERAL AUTHENTICATE with key 9E."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from crypto import challenge
from crypto.errors import ChallengeExpiredError, ChallengeMismatchError
from tests.crypto.pki import NOW, openssl

# P-256 domain parameters (FIPS 186-4 D.1.2.3, SEC 2 2.4.2).
P = 2**256 - 2**224 + 2**192 + 2**96 - 1
A = P - 3
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)


def _add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    if p1[0] == p2[0] and (p1[1] + p2[1]) % P == 0:
        return None
    if p1 == p2:
        slope = (3 * p1[0] * p1[0] + A) * pow(2 * p1[1], -1, P) % P
    else:
        slope = (p2[1] - p1[1]) * pow(p2[0] - p1[0], -1, P) % P
    x = (slope * slope - p1[0] - p2[0]) % P
    return x, (slope * (p1[0] - x) - p1[1]) % P


def _multiply(k, point):
    result = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def piv_card_sign(private_value: int, data: bytes) -> bytes:
    """What the card computes: ECDSA with the 32 bytes it is given used as the digest
    itself (SP 800-73-4: the card does not hash), DER-encoded."""
    assert len(data) == 32
    e = int.from_bytes(data, "big")
    while True:
        k = secrets.randbelow(N - 1) + 1
        r = _multiply(k, G)[0] % N
        s = pow(k, -1, N) * (e + r * private_value) % N
        if r and s:
            return utils.encode_dss_signature(r, s)


def test_the_pure_python_card_is_p256():
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.private_numbers()
    assert _multiply(numbers.private_value, G) == (
        numbers.public_numbers.x,
        numbers.public_numbers.y,
    )


def test_complete_accepts_a_signature_made_as_a_piv_card_makes_it():
    key = ec.generate_private_key(ec.SECP256R1())
    sent, state = challenge.begin(now=NOW)
    assert len(sent) == 32
    assert sent == state.challenge
    signature = piv_card_sign(key.private_numbers().private_value, sent)
    challenge.complete(state, signature, key.public_key(), now=NOW + timedelta(seconds=1))


def test_complete_accepts_openssl_signing_the_challenge_as_a_digest(tmp_path):
    """`openssl pkeyutl -sign` without -digest treats the input as the digest: a card."""
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    sent, state = challenge.begin(now=NOW)
    (tmp_path / "challenge.bin").write_bytes(sent)
    result = openssl("pkeyutl", "-sign", "-inkey", str(tmp_path / "key.pem"),
                     "-in", str(tmp_path / "challenge.bin"),
                     "-out", str(tmp_path / "signature.der"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    challenge.complete(state, (tmp_path / "signature.der").read_bytes(), key.public_key(), now=NOW)


def test_a_card_that_hashed_the_challenge_again_is_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    sent, state = challenge.begin(now=NOW)
    hashed_twice = key.sign(sent, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(ChallengeMismatchError):
        challenge.complete(state, hashed_twice, key.public_key(), now=NOW)


def test_begin_uses_the_random_source_it_is_given():
    sent, state = challenge.begin(now=NOW, random=lambda n: bytes(range(n)))
    assert sent == bytes(range(32))
    assert state.issued_at == NOW
    assert state.expires_at == NOW + challenge.DEFAULT_TTL
    with pytest.raises(ValueError, match="32 bytes"):
        challenge.begin(now=NOW, random=lambda n: b"short")


def test_two_challenges_differ():
    assert challenge.begin(now=NOW)[0] != challenge.begin(now=NOW)[0]


def test_an_answer_for_another_challenge_is_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    _, state = challenge.begin(now=NOW)
    other, _ = challenge.begin(now=NOW)
    signature = piv_card_sign(key.private_numbers().private_value, other)
    with pytest.raises(ChallengeMismatchError):
        challenge.complete(state, signature, key.public_key(), now=NOW)


def test_an_echoed_challenge_must_be_ours():
    key = ec.generate_private_key(ec.SECP256R1())
    sent, state = challenge.begin(now=NOW)
    signature = piv_card_sign(key.private_numbers().private_value, sent)
    challenge.complete(state, signature, key.public_key(), now=NOW, unverified_challenge=sent)
    with pytest.raises(ChallengeMismatchError):
        challenge.complete(
            state, signature, key.public_key(), now=NOW, unverified_challenge=bytes(32)
        )


@pytest.mark.parametrize(
    "signature", [b"", b"\x30\x00", b"\x30\x06\x02\x01\x01\x02\x01\x01", bytes(72)]
)
def test_garbage_signatures_are_a_mismatch(signature):
    key = ec.generate_private_key(ec.SECP256R1())
    _, state = challenge.begin(now=NOW)
    with pytest.raises(ChallengeMismatchError):
        challenge.complete(state, signature, key.public_key(), now=NOW)


def test_an_answer_after_the_deadline_is_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    sent, state = challenge.begin(now=NOW, ttl=timedelta(seconds=2))
    signature = piv_card_sign(key.private_numbers().private_value, sent)
    challenge.complete(state, signature, key.public_key(), now=NOW + timedelta(seconds=2))
    with pytest.raises(ChallengeExpiredError) as caught:
        challenge.complete(
            state, signature, key.public_key(), now=NOW + timedelta(seconds=2, microseconds=1)
        )
    assert caught.value.expires_at == NOW + timedelta(seconds=2)
