"""ICAO Doc 9303-11 Appendix D (BAC and secure messaging), reproduced byte for byte."""

from __future__ import annotations

import pytest

from reader_agent.emrtd.bac import document_basic_access_keys, perform_bac
from reader_agent.emrtd.errors import AccessControlError, SecureMessagingError
from reader_agent.emrtd.keys.access import MrzKey, check_digit
from reader_agent.emrtd.secure_messaging import SecureChannel
from tests.support.recorded import RecordedConnection

MRZ = MrzKey("L898902C", "690806", "940623")
RND_IFD = bytes.fromhex("781723860C06C226")
K_IFD = bytes.fromhex("0B795240CB7049B01C19B33E32804F0B")

GET_CHALLENGE = ("0084000008", "4608F91988702212 9000")
EXTERNAL_AUTHENTICATE = (
    "0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
    " 5F1448EEA8AD90A7 28",
    "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F 2F2D235D074D7449 9000",
)
# D.4: SELECT EF.COM, READ BINARY 4 bytes, READ BINARY 18 bytes at offset 4.
SELECT_COM = (
    "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
    "990290008E08FA855A5D4C50A8ED9000",
)
READ_4 = (
    "0CB000000D9701048E08ED6705417E96BA5500",
    "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
)
READ_18 = (
    "0CB000040D9701128E082EA28A70F3C7B53500",
    "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
)


def scripted_random():
    values = iter([RND_IFD, K_IFD])

    def random(length: int) -> bytes:
        value = next(values)
        assert len(value) == length
        return value

    return random


def test_mrz_information_and_document_basic_access_keys():
    assert MRZ.mrz_information() == b"L898902C<369080619406236"
    assert MRZ.bac_seed() == bytes.fromhex("239AB9CB282DAF66231DC5A4DF6BFBAE")
    k_enc, k_mac = document_basic_access_keys(MRZ)
    assert k_enc == bytes.fromhex("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert k_mac == bytes.fromhex("7962D9ECE03D1ACD4C76089DCE131543")


def test_check_digits():
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("940623") == "6"


def test_bac_then_secure_messaging_reads_ef_com_as_in_appendix_d():
    card = RecordedConnection([GET_CHALLENGE, EXTERNAL_AUTHENTICATE, SELECT_COM, READ_4, READ_18])
    sm = perform_bac(card, MRZ, random=scripted_random())
    assert sm.ks_enc == bytes.fromhex("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert sm.ks_mac == bytes.fromhex("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert sm.ssc == 0x887022120C06C226
    channel = SecureChannel(card, sm)
    assert channel.transmit(bytes.fromhex("00A4020C02011E")) == bytes.fromhex("9000")
    assert channel.transmit(bytes.fromhex("00B0000004")) == bytes.fromhex("60145F019000")
    assert channel.transmit(bytes.fromhex("00B0000412")) == bytes.fromhex(
        "04303130365F36063034303030305C0261759000"
    )
    card.assert_finished()


def test_a_wrong_mrz_is_refused_by_the_chip():
    card = RecordedConnection([GET_CHALLENGE, (EXTERNAL_AUTHENTICATE[0], "6300")])
    with pytest.raises(AccessControlError):
        perform_bac(card, MRZ, random=scripted_random())


def test_a_chip_answer_with_a_bad_mac_is_refused():
    forged = EXTERNAL_AUTHENTICATE[1].replace("2F2D235D074D7449", "2F2D235D074D7448")
    card = RecordedConnection([GET_CHALLENGE, (EXTERNAL_AUTHENTICATE[0], forged)])
    with pytest.raises(AccessControlError, match="MAC"):
        perform_bac(card, MRZ, random=scripted_random())


def test_a_response_with_a_flipped_bit_fails_secure_messaging():
    tampered = READ_4[1].replace("9FF0EC34", "9FF0EC35")
    card = RecordedConnection(
        [GET_CHALLENGE, EXTERNAL_AUTHENTICATE, SELECT_COM, (READ_4[0], tampered)]
    )
    channel = SecureChannel(card, perform_bac(card, MRZ, random=scripted_random()))
    channel.transmit(bytes.fromhex("00A4020C02011E"))
    with pytest.raises(SecureMessagingError, match="MAC"):
        channel.transmit(bytes.fromhex("00B0000004"))


def test_an_unprotected_success_is_refused():
    card = RecordedConnection([GET_CHALLENGE, EXTERNAL_AUTHENTICATE, (SELECT_COM[0], "9000")])
    channel = SecureChannel(card, perform_bac(card, MRZ, random=scripted_random()))
    with pytest.raises(SecureMessagingError, match="unprotected"):
        channel.transmit(bytes.fromhex("00A4020C02011E"))
