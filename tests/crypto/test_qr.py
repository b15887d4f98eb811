"""Short-lived, single-use QR tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto._encoding import b64url_decode, b64url_encode
from crypto.errors import (
    BadSignatureError,
    IssuanceError,
    MalformedInputError,
    ProfileViolationError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenReplayedError,
    UnknownIssuerError,
)
from crypto.qr import MAX_LIFETIME, issue_qr_token, verify_qr_token
from crypto.signers import FileSigner

NOW = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
SIGNER = FileSigner.generate()
KEYS = {SIGNER.key_id: SIGNER.public_key}
CARD = UUID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")


class Nonces:
    """A single-use store, as the service keeps one."""

    def __init__(self) -> None:
        self.seen: set[bytes] = set()

    def consume(self, nonce: bytes) -> bool:
        if nonce in self.seen:
            return False
        self.seen.add(nonce)
        return True


def verify(token, *, now=NOW, nonces=None, keys=KEYS):
    return verify_qr_token(token, keys=keys, now=now, consume_nonce=(nonces or Nonces()).consume)


def test_a_token_verifies_once():
    token = issue_qr_token(SIGNER, card_id=CARD, now=NOW, random=lambda n: b"\x07" * n)
    nonces = Nonces()
    verified = verify(token, now=NOW + timedelta(seconds=5), nonces=nonces)
    assert verified.card_id == CARD
    assert verified.key_id == SIGNER.key_id
    assert verified.nonce == b"\x07" * 16
    assert verified.issued_at == NOW
    assert verified.expires_at == NOW + timedelta(seconds=30)
    with pytest.raises(TokenReplayedError):
        verify(token, now=NOW + timedelta(seconds=6), nonces=nonces)


def test_layout_is_versioned_and_names_the_key():
    raw = b64url_decode(issue_qr_token(SIGNER, card_id=CARD, now=NOW))
    assert len(raw) == 126
    assert raw[0] == 1
    assert raw[1:21].hex() == SIGNER.key_id
    assert raw[21:37] == CARD.bytes


def test_expiry_is_at_most_sixty_seconds_when_issuing():
    issue_qr_token(SIGNER, card_id=CARD, now=NOW, lifetime=MAX_LIFETIME)
    for bad in (timedelta(seconds=61), timedelta(0), timedelta(seconds=1.5)):
        with pytest.raises(IssuanceError):
            issue_qr_token(SIGNER, card_id=CARD, now=NOW, lifetime=bad)


def test_expired_and_not_yet_valid():
    token = issue_qr_token(SIGNER, card_id=CARD, now=NOW, lifetime=timedelta(seconds=10))
    verify(token, now=NOW + timedelta(seconds=9, microseconds=999_999))
    with pytest.raises(TokenExpiredError):
        verify(token, now=NOW + timedelta(seconds=10))
    with pytest.raises(TokenNotYetValidError):
        verify(token, now=NOW - timedelta(seconds=1))


def test_a_refused_token_does_not_use_up_its_nonce():
    token = issue_qr_token(SIGNER, card_id=CARD, now=NOW)
    nonces = Nonces()
    with pytest.raises(TokenExpiredError):
        verify(token, now=NOW + timedelta(minutes=5), nonces=nonces)
    assert nonces.seen == set()


def test_a_lifetime_over_sixty_seconds_is_refused_even_if_signed():
    raw = bytearray(b64url_decode(issue_qr_token(SIGNER, card_id=CARD, now=NOW)))
    raw[45] = 120
    signed = bytes(raw[:62])
    from crypto.keys import raw_signature

    resigned = signed + raw_signature(SIGNER.sign(b"hue-ecard/qr-token\x00" + signed))
    with pytest.raises(ProfileViolationError):
        verify(b64url_encode(resigned))


def test_tampering_unknown_keys_and_garbage():
    token = issue_qr_token(SIGNER, card_id=CARD, now=NOW)
    raw = bytearray(b64url_decode(token))
    raw[30] ^= 1  # the card id
    with pytest.raises(BadSignatureError):
        verify(b64url_encode(bytes(raw)))
    with pytest.raises(UnknownIssuerError):
        verify(token, keys={})
    for garbage in ("", "!!!", b64url_encode(b"\x01" * 10), b64url_encode(bytes(126))):
        with pytest.raises(MalformedInputError):
            verify(garbage)


def test_a_signature_over_the_bytes_without_the_context_is_refused():
    raw = b64url_decode(issue_qr_token(SIGNER, card_id=CARD, now=NOW))
    from crypto.keys import raw_signature

    plain = raw[:62] + raw_signature(SIGNER.sign(raw[:62]))
    with pytest.raises(BadSignatureError):
        verify(b64url_encode(plain))


@given(card_id=st.uuids(), nonce=st.binary(min_size=16, max_size=16),
       seconds=st.integers(min_value=1, max_value=60),
       at=st.integers(min_value=0, max_value=2**33))  # fmt: skip
def test_round_trip(card_id, nonce, seconds, at):
    now = datetime.fromtimestamp(at, UTC)
    token = issue_qr_token(
        SIGNER, card_id=card_id, now=now, lifetime=timedelta(seconds=seconds),
        random=lambda n: nonce,
    )  # fmt: skip
    verified = verify(token, now=now)
    assert (verified.card_id, verified.nonce, verified.issued_at) == (card_id, nonce, now)
    assert verified.expires_at - verified.issued_at == timedelta(seconds=seconds)
