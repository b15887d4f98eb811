"""The client's APDUs byte for byte, as SP 800-73-4 Part 2 specifies them, against
recorded card answers."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from reader_agent.piv import (
    DEFAULT_MANAGEMENT_KEY,
    Chuid,
    MutualAuthenticationError,
    PinIncorrectError,
    PivClient,
    Slot,
)
from tests.support.recorded import RecordedConnection

# Part 2 3.1.1: SELECT by the full AID, Le = 00.
SELECT = "00A404000BA000000308000010000100" + "00"
# A minimal application property template: PIX in 4F, NIST RID in 79.
APT = "6111" + "4F06000010000100" + "79074F05A000000308"
CHALLENGE = bytes(range(0x20, 0x40))


def _tdes_ecb(key: bytes, block: bytes, *, encrypt: bool) -> bytes:
    cipher = Cipher(TripleDES(key), modes.ECB())  # noqa: S305 - the standard's single block
    context = cipher.encryptor() if encrypt else cipher.decryptor()
    return context.update(block) + context.finalize()


def test_select_sends_the_piv_aid_and_reads_the_template() -> None:
    card = RecordedConnection([(SELECT, APT + "9000")])
    properties = PivClient(card).select()
    assert properties.aid == bytes.fromhex("000010000100")
    assert properties.label is None
    card.assert_finished()


def test_get_data_for_the_card_authentication_certificate() -> None:
    certificate = bytes.fromhex("3003020101")  # any DER; the client does not parse it
    body = "7005" + certificate.hex() + "710100" + "FE00"
    card = RecordedConnection([("00CB3FFF055C035FC10100", "530C" + body + "9000")])
    assert PivClient(card).read_certificate(Slot.CARD_AUTHENTICATION) == certificate
    card.assert_finished()


def test_general_authenticate_with_the_card_authentication_key() -> None:
    # 7C 24 { 82 00 (response wanted), 81 20 <32-byte challenge> }, P1 11 = ECC P-256.
    command = "0087119E26" + "7C24" + "8200" + "8120" + CHALLENGE.hex() + "00"
    signature = "3006020101020102"
    card = RecordedConnection([(command, "7C0A8208" + signature + "9000")])
    assert PivClient(card).authenticate(Slot.CARD_AUTHENTICATION, CHALLENGE) == bytes.fromhex(
        signature
    )
    card.assert_finished()


def test_verify_pads_the_pin_with_ff_to_eight_bytes() -> None:
    card = RecordedConnection(
        [
            ("0020008008313233343536FFFF", "63C2"),
            ("002000800831323334353637FF", "9000"),
        ]
    )
    client = PivClient(card)
    with pytest.raises(PinIncorrectError) as wrong:
        client.verify_pin("123456")
    assert wrong.value.retries_left == 2
    client.verify_pin("1234567")
    card.assert_finished()


def test_empty_verify_reports_tries_left() -> None:
    card = RecordedConnection([("00200080", "63C3"), ("00200080", "9000")])
    client = PivClient(card)
    assert client.pin_status().retries_left == 3
    assert client.pin_status().verified


def test_mutual_management_key_authentication_with_the_default_3des_key() -> None:
    key = DEFAULT_MANAGEMENT_KEY.key
    witness = bytes.fromhex("0011223344556677")
    our_challenge = bytes.fromhex("8899AABBCCDDEEFF")
    encrypted_witness = _tdes_ecb(key, witness, encrypt=True)
    proof = _tdes_ecb(key, our_challenge, encrypt=True)
    card = RecordedConnection(
        [
            ("0087039B047C02800000", "7C0A8008" + encrypted_witness.hex() + "9000"),
            (
                # 7C 14 { 80 08 <decrypted witness>, 81 08 <our challenge> }
                "0087039B167C148008" + witness.hex() + "8108" + our_challenge.hex() + "00",
                "7C0A8208" + proof.hex() + "9000",
            ),
        ]
    )
    PivClient(card, random_bytes=lambda n: our_challenge[:n]).authenticate_management_key(
        DEFAULT_MANAGEMENT_KEY
    )
    card.assert_finished()


def test_a_card_that_cannot_prove_the_management_key_is_refused() -> None:
    witness = bytes(8)
    encrypted_witness = _tdes_ecb(DEFAULT_MANAGEMENT_KEY.key, witness, encrypt=True)
    card = RecordedConnection(
        [
            ("0087039B047C02800000", "7C0A8008" + encrypted_witness.hex() + "9000"),
            (
                "0087039B167C148008" + witness.hex() + "8108" + "01" * 8 + "00",
                "7C0A8208" + "00" * 8 + "9000",  # not E(01 01 ... 01)
            ),
        ]
    )
    with pytest.raises(MutualAuthenticationError):
        PivClient(card, random_bytes=lambda n: b"\x01" * n).authenticate_management_key(
            DEFAULT_MANAGEMENT_KEY
        )


def test_generate_key_pair_in_9e_returns_the_cards_point() -> None:
    private = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    # AC 03 { 80 01 11 } asks for ECC P-256; the answer is 7F49 { 86 <04 || X || Y> }.
    card = RecordedConnection(
        [("004700 9E05AC0380011100".replace(" ", ""), "7F494386" + "41" + point.hex() + "9000")]
    )
    public = PivClient(card).generate_key(Slot.CARD_AUTHENTICATION)
    assert public.public_numbers() == private.public_key().public_numbers()


def test_put_data_chains_a_long_certificate_object() -> None:
    certificate = bytes(300)
    # 5C 03 5FC101, 53 82 0133 { 70 82 012C <cert>, 71 01 00, FE 00 }
    data = bytes.fromhex("5C035FC101" + "53820135" + "7082012C") + certificate
    data += bytes.fromhex("710100FE00")
    card = RecordedConnection(
        [
            ("10DB3FFFFF" + data[:255].hex(), "9000"),
            ("00DB3FFF" + f"{len(data) - 255:02X}" + data[255:].hex(), "9000"),
        ]
    )
    PivClient(card).put_certificate(Slot.CARD_AUTHENTICATION, certificate)
    card.assert_finished()


def test_put_chuid_writes_the_table_9_layout() -> None:
    guid = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")
    chuid = Chuid(guid=guid, expiration=date(2030, 12, 31))
    value = (
        "3019D4E739DA739CED39CE739D836858210842108421C84210C3EB"  # FASC-N (non-federal)
        + "3410"
        + guid.hex  # GUID
        + "350832303330313233 31".replace(" ", "")  # expiration "20301231"
        + "3E00"  # issuer asymmetric signature (empty)
        + "FE00"  # error detection code
    )
    command_data = "5C035FC102" + "53" + f"{len(value) // 2:02X}" + value
    card = RecordedConnection(
        [("00DB3FFF" + f"{len(command_data) // 2:02X}" + command_data, "9000")]
    )
    PivClient(card).put_chuid(chuid)
    card.assert_finished()


def test_extended_length_reads_in_one_apdu() -> None:
    card = RecordedConnection([("00CB3FFF0000055C035FC1020000", "530100" + "9000")])
    assert PivClient(card, extended_length=True).read_object(0x5FC102) == b"\x00"
    card.assert_finished()
