"""The client against the virtual PIV card in-process: issuance, then taps."""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from reader_agent.piv import (
    DEFAULT_MANAGEMENT_KEY,
    Algorithm,
    Chuid,
    DataObjectNotFoundError,
    KeyNotFoundError,
    ManagementKey,
    ManagementKeyRejectedError,
    PinBlockedError,
    PinFormatError,
    PinIncorrectError,
    PivClient,
    SecurityStatusNotSatisfiedError,
    Slot,
)
from reader_agent.virtual.piv_card import PivCard, PivCardOptions
from reader_agent.virtual.piv_direct import DirectConnection
from tests.reader_agent.piv.certificates import Issuer, der

P256_SIGNATURE = ec.ECDSA(utils.Prehashed(hashes.SHA256()))


def _session(card: PivCard, *, extended: bool = False) -> PivClient:
    client = PivClient(DirectConnection(card), extended_length=extended)
    client.select()
    return client


def _personalise(
    card: PivCard, card_id: uuid.UUID | None = None
) -> tuple[ec.EllipticCurvePublicKey, x509.Certificate]:
    client = _session(card)
    card_id = card_id or uuid.uuid4()
    public_key = client.generate_key(
        Slot.CARD_AUTHENTICATION, management_key=DEFAULT_MANAGEMENT_KEY
    )
    certificate = Issuer.create().card_certificate(public_key, card_id=card_id)
    client.put_certificate(Slot.CARD_AUTHENTICATION, der(certificate))
    client.put_chuid(Chuid(guid=card_id, expiration=date(2031, 12, 31)))
    return public_key, certificate


@pytest.mark.parametrize("extended", [False, True])
def test_issue_then_tap(extended: bool) -> None:
    card = PivCard.blank()
    card_id = uuid.uuid4()
    public_key, certificate = _personalise(card, card_id)
    assert len(der(certificate)) > 256  # the read below needs GET RESPONSE (short APDUs)

    tap = _session(card, extended=extended)
    unverified_certificate = x509.load_der_x509_certificate(
        tap.read_certificate(Slot.CARD_AUTHENTICATION)
    )
    assert unverified_certificate == certificate
    challenge = os.urandom(32)
    unverified_signature = tap.authenticate(Slot.CARD_AUTHENTICATION, challenge)
    public_key.verify(unverified_signature, challenge, P256_SIGNATURE)
    assert tap.read_chuid().guid == card_id


def test_the_card_signs_the_challenge_as_a_digest() -> None:
    card = PivCard.blank()
    public_key, _ = _personalise(card)
    challenge = os.urandom(32)
    signature = _session(card).authenticate(Slot.CARD_AUTHENTICATION, challenge)
    public_key.verify(signature, challenge, P256_SIGNATURE)
    with pytest.raises(InvalidSignature):  # hashing it again would be a different message
        public_key.verify(signature, challenge, ec.ECDSA(hashes.SHA256()))


def test_a_copied_certificate_is_exposed_by_the_signature() -> None:
    card = PivCard.blank()
    public_key, _ = _personalise(card)
    impostor = PivCard(card.state, options=PivCardOptions(sign_with_other_key=True))
    challenge = os.urandom(32)
    signature = _session(impostor).authenticate(Slot.CARD_AUTHENTICATION, challenge)
    with pytest.raises(InvalidSignature):
        public_key.verify(signature, challenge, P256_SIGNATURE)


def test_a_blank_card_has_a_chuid_but_no_keys_or_certificates() -> None:
    client = _session(PivCard.blank())
    assert client.read_chuid().expiration > date(2026, 1, 1)
    with pytest.raises(DataObjectNotFoundError):
        client.read_certificate(Slot.CARD_AUTHENTICATION)
    with pytest.raises(KeyNotFoundError):
        client.authenticate(Slot.CARD_AUTHENTICATION, bytes(32))


def test_personalisation_needs_the_management_key() -> None:
    client = _session(PivCard.blank())
    with pytest.raises(SecurityStatusNotSatisfiedError):
        client.generate_key(Slot.CARD_AUTHENTICATION)
    with pytest.raises(SecurityStatusNotSatisfiedError):
        client.put_certificate(Slot.CARD_AUTHENTICATION, b"\x30\x00")
    wrong_3des = ManagementKey(Algorithm.TDES, bytes(range(24)))
    with pytest.raises(ManagementKeyRejectedError):
        client.authenticate_management_key(wrong_3des)
    wrong_algorithm = ManagementKey(Algorithm.AES_128, bytes(16))
    with pytest.raises(ManagementKeyRejectedError):
        client.authenticate_management_key(wrong_algorithm)


def test_an_aes_management_key_card() -> None:
    card = PivCard.blank()
    key = ManagementKey(Algorithm.AES_128, bytes.fromhex("00112233445566778899AABBCCDDEEFF"))
    card.state.management_key = key
    client = _session(card)
    client.authenticate_management_key(key)
    client.put_object(0x5FC109, b"\x01\x02")  # printed information: PIN-protected to read
    with pytest.raises(SecurityStatusNotSatisfiedError):
        client.read_object(0x5FC109)
    client.verify_pin("123456")
    assert client.read_object(0x5FC109) == b"\x01\x02"


def test_piv_authentication_key_needs_the_pin_in_this_session() -> None:
    card = PivCard.blank()
    client = _session(card)
    public_key = client.generate_key(Slot.PIV_AUTHENTICATION, management_key=DEFAULT_MANAGEMENT_KEY)
    challenge = os.urandom(32)
    with pytest.raises(SecurityStatusNotSatisfiedError):
        client.authenticate(Slot.PIV_AUTHENTICATION, challenge)
    client.verify_pin("123456")
    public_key.verify(
        client.authenticate(Slot.PIV_AUTHENTICATION, challenge), challenge, P256_SIGNATURE
    )
    again = _session(card)  # SELECT again: a new session, the PIN is forgotten
    with pytest.raises(SecurityStatusNotSatisfiedError):
        again.authenticate(Slot.PIV_AUTHENTICATION, challenge)


def test_p384_keys_sign_48_byte_challenges() -> None:
    card = PivCard.blank()
    client = _session(card)
    public_key = client.generate_key(
        Slot.CARD_AUTHENTICATION,
        algorithm=Algorithm.ECC_P384,
        management_key=DEFAULT_MANAGEMENT_KEY,
    )
    challenge = os.urandom(48)
    signature = client.authenticate(
        Slot.CARD_AUTHENTICATION, challenge, algorithm=Algorithm.ECC_P384
    )
    public_key.verify(signature, challenge, ec.ECDSA(utils.Prehashed(hashes.SHA384())))
    with pytest.raises(KeyNotFoundError):  # P1 says P-256 but the key is P-384
        client.authenticate(Slot.CARD_AUTHENTICATION, os.urandom(32))


def test_pin_tries_count_down_then_block_and_the_puk_unblocks() -> None:
    card = PivCard.blank()
    client = _session(card)
    assert client.pin_status().retries_left == 3
    for expected_left in (2, 1):
        with pytest.raises(PinIncorrectError) as wrong:
            client.verify_pin("000000")
        assert wrong.value.retries_left == expected_left
    with pytest.raises(PinBlockedError):
        client.verify_pin("000000")
    with pytest.raises(PinBlockedError):
        client.verify_pin("123456")  # blocked: even the right PIN is refused
    assert client.pin_status().retries_left == 0
    client.unblock_pin("12345678", "24681357")
    client.verify_pin("24681357")
    assert client.pin_status().verified


def test_a_right_pin_restores_the_tries() -> None:
    card = PivCard.blank()
    client = _session(card)
    with pytest.raises(PinIncorrectError):
        client.verify_pin("999999")
    client.verify_pin("123456")
    assert card.state.pin.retries_left == 3


def test_change_pin_and_puk() -> None:
    card = PivCard.blank()
    client = _session(card)
    client.change_pin("123456", "11223344")
    with pytest.raises(PinIncorrectError):
        client.verify_pin("123456")
    client.verify_pin("11223344")
    client.change_puk("12345678", "87654321")
    with pytest.raises(PinIncorrectError):
        client.unblock_pin("12345678", "111111")
    client.unblock_pin("87654321", "111111")
    client.verify_pin("111111")


@pytest.mark.parametrize("pin", ["12345", "123456789", "12a456", "", "١٢٣٤٥٦"])
def test_pins_no_card_could_hold_are_refused_before_sending(pin: str) -> None:
    card = PivCard.blank()
    client = _session(card)
    with pytest.raises(PinFormatError):
        client.verify_pin(pin)
    assert card.state.pin.retries_left == 3


@pytest.mark.parametrize("size", [16, 31, 33, 64])
def test_wrong_length_challenges_are_refused(size: int) -> None:
    card = PivCard.blank()
    _personalise(card)
    with pytest.raises(ValueError, match="32 bytes"):
        _session(card).authenticate(Slot.CARD_AUTHENTICATION, bytes(size))
