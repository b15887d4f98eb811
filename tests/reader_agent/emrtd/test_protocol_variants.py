"""PACE variants, large files and Active Authentication formats against the virtual chip."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from reader_agent.emrtd.active_auth import ECDSA_PLAIN, verify_active_authentication
from reader_agent.emrtd.der import encode_integer, encode_oid
from reader_agent.emrtd.errors import ActiveAuthenticationError, UnsupportedProtocolError
from reader_agent.emrtd.files import Ef, data_group_fid
from reader_agent.emrtd.keys.access import CanKey
from reader_agent.emrtd.lds.com import parse_com
from reader_agent.emrtd.lds.dg1 import parse_dg1
from reader_agent.emrtd.lds.dg2 import encode_dg2
from reader_agent.emrtd.security_infos import PaceInfo
from reader_agent.emrtd.session import ReadOptions, read_document
from reader_agent.iso7816.tlv import encode_tlv
from reader_agent.virtual.id_card_data import placeholder_jpeg
from reader_agent.virtual.id_card_state import load_chip
from tests.reader_agent.emrtd.conftest import ChipConnection

PACE = "0.4.0.127.0.7.2.2.4"


@pytest.mark.parametrize(
    ("protocol", "parameter_id"),
    [
        (f"{PACE}.2.1", 13),  # ECDH-GM, 3DES
        (f"{PACE}.2.3", 12),  # ECDH-GM, AES-192, P-256
        (f"{PACE}.2.4", 16),  # ECDH-GM, AES-256, brainpoolP384r1
        (f"{PACE}.1.2", 0),  # DH-GM, AES-128, 1024-bit MODP
        (f"{PACE}.1.2", 2),  # DH-GM, AES-128, 2048-bit MODP
        (f"{PACE}.4.2", 13),  # ECDH-IM, AES-128
        (f"{PACE}.3.2", 0),  # DH-IM, AES-128
    ],
)
def test_pace_variants_open_the_chip(card_state, citizen, protocol, parameter_id):
    chip = load_chip(card_state)
    assert chip.config.pace is not None
    chip.config.pace.offered = PaceInfo(protocol, 2, parameter_id)
    info = encode_tlv(0x30, encode_oid(protocol) + encode_integer(2) + encode_integer(parameter_id))
    chip.config.files[Ef.CARD_ACCESS] = encode_tlv(0x31, info)
    document = read_document(
        ChipConnection(chip), CanKey(citizen.can), options=ReadOptions(data_groups=(1,))
    )
    assert document.pace_protocol == protocol
    assert parse_dg1(document.unverified_data_groups[1]).check_digits_valid


def test_unsupported_pace_only_is_an_error_for_a_can(card_state, citizen):
    chip = load_chip(card_state)
    info = encode_tlv(0x30, encode_oid(f"{PACE}.6.2") + encode_integer(2) + encode_integer(13))
    chip.config.files[Ef.CARD_ACCESS] = encode_tlv(0x31, info)
    with pytest.raises(UnsupportedProtocolError, match="PACE"):
        read_document(ChipConnection(chip), CanKey(citizen.can))


@pytest.mark.parametrize("extended", [False, True])
def test_files_beyond_32k_are_read_with_odd_read_binary(card_state, citizen, extended):
    chip = load_chip(card_state)
    image = placeholder_jpeg()[:-2] + bytes(range(256)) * 160 + b"\xff\xd9"
    chip.config.files[data_group_fid(2)] = encode_dg2(image)
    connection = ChipConnection(chip)
    document = read_document(
        connection,
        CanKey(citizen.can),
        options=ReadOptions(data_groups=(2,), extended_length=extended, chip_authentication=False),
    )
    (face,) = document.faces()
    assert face.unverified_data == image
    assert len(document.unverified_data_groups[2]) > 0x7FFF


def test_ef_com_lists_what_the_card_holds(card_state, citizen):
    document = read_document(ChipConnection(load_chip(card_state)), CanKey(citizen.can))
    com = parse_com(document.unverified_com)
    assert com.data_groups == (1, 2, 13, 14, 15)


# ----------------------------------------------------------------- Active Authentication

AA_M1 = bytes.fromhex(
    "9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991"
    "B543F1696546C5524CF23A5303CD6C98599F40B79F377B5F3A1406B3B4D8F967"
    "84D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD4E7292E2DCDA3024B47DA8"
)
AA_RND_IFD = bytes.fromhex("F173589974BF40C6")
AA_F = bytes.fromhex(
    "6A9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC19"
    "91B543F1696546C5524CF23A5303CD6C98599F40B79F377B5F3A1406B3B4D8F9"
    "6784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD"
    "4E7292E2DCDA3024B47DA8C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127BC"
)


def test_active_authentication_worked_example_message_verifies():
    """ICAO 9303-11 AA example (RSA-1024, SHA-1): the example's F, signed with a fresh key."""
    digest = hashlib.sha1(AA_M1 + AA_RND_IFD).digest()  # noqa: S324 - the example's hash
    assert digest == bytes.fromhex("C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127")
    assert b"\x6a" + AA_M1 + digest + b"\xbc" == AA_F
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - as ICAO
    numbers = key.private_numbers()
    signature = pow(int.from_bytes(AA_F, "big"), numbers.d, numbers.public_numbers.n)
    verify_active_authentication(key.public_key(), AA_RND_IFD, signature.to_bytes(128, "big"))
    with pytest.raises(ActiveAuthenticationError):
        verify_active_authentication(key.public_key(), bytes(8), signature.to_bytes(128, "big"))


def test_ec_active_authentication_with_plain_signatures():
    key = ec.generate_private_key(ec.SECP256R1())
    challenge = bytes(range(8))
    r, s = decode_dss_signature(key.sign(challenge, ec.ECDSA(hashes.SHA256())))
    plain = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    verify_active_authentication(
        key.public_key(), challenge, plain, signature_algorithm=f"{ECDSA_PLAIN}.3"
    )
    with pytest.raises(ActiveAuthenticationError):
        verify_active_authentication(key.public_key(), challenge[::-1], plain)
    with pytest.raises(ActiveAuthenticationError):
        verify_active_authentication(key.public_key(), challenge, plain[:-1])
