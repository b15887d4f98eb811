"""The virtual PIV card, APDU by APDU: what SP 800-73-4 and ISO 7816-4 say it answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.tlv import encode_tlv, parse_one
from reader_agent.piv.constants import PIV_AID
from reader_agent.piv.management import DEFAULT_MANAGEMENT_KEY
from reader_agent.virtual.piv_card import ATR, PivCard

SELECT = "00A404000BA00000030800001000010000"
GET_CHUID = "00CB3FFF055C035FC10200"
VERIFY_123456 = "0020008008313233343536FFFF"


class Card:
    """A powered card and a hex-in, hex-out ``send``."""

    def __init__(self, card: PivCard | None = None) -> None:
        self.card = card or PivCard.blank()
        self.card.power_on()

    def send(self, apdu: str) -> str:
        return self.card.process_apdu(bytes.fromhex(apdu.replace(" ", ""))).hex().upper()

    def sw(self, apdu: str) -> str:
        return self.send(apdu)[-4:]

    def authenticate_management_key(self) -> None:
        key = DEFAULT_MANAGEMENT_KEY
        first = bytes.fromhex(self.send("0087039B047C02800000"))
        witness = key.decrypt_block(parse_one(first[:-2]).children()[0].value)
        challenge = bytes(8)
        template = encode_tlv(0x80, witness) + encode_tlv(0x81, challenge)
        answer = self.send("0087039B" + _lc(encode_tlv(0x7C, template)) + "00")
        assert answer.endswith("9000")


def _lc(data: bytes) -> str:
    return f"{len(data):02X}" + data.hex()


@pytest.fixture
def card() -> Card:
    selected = Card()
    assert selected.sw(SELECT) == "9000"
    return selected


def test_atr_is_well_formed() -> None:
    # TS 3B, T0 with the historical byte count, TD1/TD2 offering T=0 and T=1, and a
    # TCK that makes the XOR of T0..TCK zero.
    assert ATR[0] == 0x3B
    assert ATR[1] & 0x0F == len(ATR) - 5
    check = 0
    for byte in ATR[1:]:
        check ^= byte
    assert check == 0


def test_select_answers_the_application_property_template() -> None:
    card = Card()
    answer = bytes.fromhex(card.send(SELECT))
    assert answer[-2:] == b"\x90\x00"
    template = parse_one(answer[:-2], expected_tag=0x61)
    items = {item.tag: item.value for item in template.children()}
    assert items[0x4F] == PIV_AID[5:]
    assert parse_one(items[0x79]).value == PIV_AID[:5]
    assert encode_tlv(0x80, b"\x11") in items[0xAC]


@pytest.mark.parametrize("aid", ["A000000308", "A00000030800001000"])
def test_truncated_aids_select_piv(aid: str) -> None:
    assert Card().sw(f"00A40400{len(aid) // 2:02X}{aid}00") == "9000"


def test_a_failed_select_keeps_the_current_selection(card: Card) -> None:
    assert card.sw("00A4040006A0000000010100") == "6A82"
    assert card.sw(GET_CHUID) == "9000"


def test_piv_instructions_need_the_application_selected() -> None:
    assert Card().sw(GET_CHUID) == "6D00"


@pytest.mark.parametrize(
    ("apdu", "sw"),
    [
        ("00B0000000", "6D00"),  # READ BINARY: not a PIV instruction
        ("80CB3FFF055C035FC10200", "6E00"),  # proprietary class
        ("0CCB3FFF055C035FC10200", "6E00"),  # secure messaging
        ("00CB3FFE055C035FC10200", "6A86"),  # GET DATA needs P1 P2 = 3F FF
        ("00CB3FFF055C035FC1FF00", "6A82"),  # no such object
        ("00CB3FFF045C025FC100", "6A80"),  # a two-byte tag names no PIV object
        ("00CB3FFF03530100", "6A80"),  # no tag list
        ("00CB3F", "6700"),  # not an APDU
        ("00CB3FFF055C035FC1", "6700"),  # Lc says 5, 3 bytes follow
        ("00C0000010", "6985"),  # GET RESPONSE with nothing pending
        ("00200081", "6A88"),  # VERIFY of a reference other than the PIN
        ("002000800431323334", "6A80"),  # reference data not 8 bytes
        ("0087119E0A7C08820081043132333400", "6A88"),  # no key in 9E yet
        ("0087119B047C02800000", "6A86"),  # 9B is 3DES on this card, not P-256
        ("0087039B047C02820000", "6A80"),  # not a template the card knows
        ("008703AA047C02800000", "6A86"),  # no such key reference
        ("0047009E05AC0380011100", "6982"),  # generate without the management key
        ("00DB3FFF0A5C035FC102530130FE00", "6982"),  # put without the management key
    ],
)
def test_refusals(card: Card, apdu: str, sw: str) -> None:
    assert card.sw(apdu) == sw


def test_long_answers_come_in_pieces_with_get_response(card: Card) -> None:
    card.authenticate_management_key()
    value = bytes(range(256)) * 2  # 512 bytes
    put = encode_tlv(0x5C, bytes.fromhex("5FC105")) + encode_tlv(0x53, value)
    chunks = [put[i : i + 255] for i in range(0, len(put), 255)]
    for chunk in chunks[:-1]:
        assert card.sw("10DB3FFF" + _lc(chunk)) == "9000"
    assert card.sw("00DB3FFF" + _lc(chunks[-1])) == "9000"

    first = card.send("00CB3FFF055C035FC10500")
    assert first.endswith("6100")  # 256 or more to come
    assert len(first) // 2 == 256 + 2
    second = card.send("00C0000000")
    assert second.endswith("6104")  # 4 bytes left: 53 82 02 00 header + 512 - 2 * 256
    third = card.send("00C0000004")
    assert third.endswith("9000")
    whole = bytes.fromhex(first[:-4] + second[:-4] + third[:-4])
    assert parse_one(whole, expected_tag=0x53).value == value


def test_extended_length_answers_at_once(card: Card) -> None:
    card.authenticate_management_key()
    value = bytes(600)
    put = encode_tlv(0x5C, bytes.fromhex("5FC101")) + encode_tlv(0x53, value)
    assert card.sw("00DB3FFF00" + f"{len(put):04X}" + put.hex()) == "9000"
    answer = card.send("00CB3FFF0000055C035FC1010000")
    assert answer.endswith("9000")
    assert parse_one(bytes.fromhex(answer[:-4])).value == value


def test_a_smaller_le_gets_that_much_and_61xx(card: Card) -> None:
    answer = card.send("00CB3FFF055C035FC10208")
    assert len(answer) // 2 == 8 + 2
    assert answer.startswith("53")
    assert answer[-4:-2] == "61"


def test_an_interrupted_chain_is_dropped(card: Card) -> None:
    card.authenticate_management_key()
    assert card.sw("10DB3FFF035C035F") == "9000"
    # A different command ends the chain; the PUT DATA fragment is forgotten.
    assert card.sw(GET_CHUID) == "9000"
    assert card.sw("00DB3FFF06C102530101FE") == "6A80"


def test_an_empty_object_deletes_it(card: Card) -> None:
    card.authenticate_management_key()
    assert card.sw("00DB3FFF075C035FC1025300") == "9000"
    assert card.sw(GET_CHUID) == "6A82"


def test_objects_have_a_size_limit(card: Card) -> None:
    card.authenticate_management_key()
    put = encode_tlv(0x5C, bytes.fromhex("5FC101")) + encode_tlv(0x53, bytes(5000))
    assert card.sw("00DB3FFF00" + f"{len(put):04X}" + put.hex()) == "6A84"


def test_generate_refuses_unknown_algorithms_and_slots(card: Card) -> None:
    card.authenticate_management_key()
    assert card.sw("0047009E05AC0380010700") == "6A80"  # RSA 2048: not on this card
    assert card.sw("0047009B05AC0380011100") == "6A86"  # 9B is not an asymmetric slot
    assert card.sw("0047009E00") == "6A80"  # no control reference template (found by fuzzing)
    answer = card.send("0047009E05AC0380011100")
    assert answer.startswith("7F494386410" + "4")
    assert answer.endswith("9000")


def test_pin_state_is_lost_on_power_off_and_reselect(card: Card) -> None:
    assert card.sw(VERIFY_123456) == "9000"
    assert card.sw("00200080") == "9000"
    assert card.sw(SELECT) == "9000"
    assert card.sw("00200080") == "63C3"
    assert card.sw(VERIFY_123456) == "9000"
    card.card.power_off()
    card.card.power_on()
    assert card.sw(SELECT) == "9000"
    assert card.sw("00200080") == "63C3"


def test_verify_with_p1_ff_forgets_the_pin(card: Card) -> None:
    assert card.sw(VERIFY_123456) == "9000"
    assert card.sw("0020FF80") == "9000"
    assert card.sw("00200080") == "63C3"


def test_wrong_pins_count_down_to_blocked(card: Card) -> None:
    wrong = "0020008008393939393939FFFF"
    assert [card.sw(wrong) for _ in range(4)] == ["63C2", "63C1", "63C0", "6983"]
    assert card.sw("00200080") == "6983"
    assert card.sw(VERIFY_123456) == "6983"


def test_malformed_reference_data_costs_no_try(card: Card) -> None:
    assert card.sw("002000800431323334") == "6A80"
    assert card.sw("00200080") == "63C3"


def test_one_way_management_key_authentication(card: Card) -> None:
    key = DEFAULT_MANAGEMENT_KEY
    answer = bytes.fromhex(card.send("0087039B047C02810000"))
    challenge = parse_one(answer[:-2]).children()[0].value
    response = encode_tlv(0x7C, encode_tlv(0x82, key.encrypt_block(challenge)))
    assert card.sw("0087039B" + _lc(response)) == "9000"
    assert card.sw("0047009E05AC0380011100") == "9000"


def test_the_legacy_3des_identifier_is_accepted(card: Card) -> None:
    assert card.send("0087009B047C02800000").endswith("9000")


def test_a_wrong_witness_is_refused(card: Card) -> None:
    assert card.sw("0087039B047C02800000") == "9000"
    template = encode_tlv(0x80, bytes(8)) + encode_tlv(0x81, bytes(8))
    assert card.sw("0087039B" + _lc(encode_tlv(0x7C, template)) + "00") == "6982"
    assert card.sw("00DB3FFF075C035FC1025300") == "6982"


def test_a_witness_answer_without_a_witness_is_refused(card: Card) -> None:
    template = encode_tlv(0x80, bytes(8)) + encode_tlv(0x81, bytes(8))
    assert card.sw("0087039B" + _lc(encode_tlv(0x7C, template)) + "00") == "6985"


def test_any_other_command_cancels_a_management_challenge(card: Card) -> None:
    first = bytes.fromhex(card.send("0087039B047C02800000"))
    witness = DEFAULT_MANAGEMENT_KEY.decrypt_block(parse_one(first[:-2]).children()[0].value)
    assert card.sw(GET_CHUID) == "9000"
    template = encode_tlv(0x80, witness) + encode_tlv(0x81, bytes(8))
    assert card.sw("0087039B" + _lc(encode_tlv(0x7C, template)) + "00") == "6985"


def test_wrong_length_challenges_are_refused_by_the_card(card: Card) -> None:
    card.authenticate_management_key()
    assert card.sw("0047009E05AC0380011100") == "9000"
    for size in (0, 20, 31, 33, 64):
        template = encode_tlv(0x82, b"") + encode_tlv(0x81, bytes(size))
        assert card.sw("0087119E" + _lc(encode_tlv(0x7C, template)) + "00") == "6A80"
    template = encode_tlv(0x82, b"") + encode_tlv(0x81, bytes(32))
    assert card.sw("0087119E" + _lc(encode_tlv(0x7C, template)) + "00") == "9000"


def test_an_internal_fault_answers_6f00(card: Card, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(command: object) -> bytes:
        raise RuntimeError("bug")

    monkeypatch.setitem(card.card._handlers, 0xCB, explode)
    assert card.sw(GET_CHUID) == "6F00"


INSTRUCTIONS = [0x20, 0x24, 0x2C, 0x47, 0x87, 0xA4, 0xC0, 0xCB, 0xDB, 0xFD, 0x00]
HEADERS = [
    (0xCB, 0x3F, 0xFF),
    (0xDB, 0x3F, 0xFF),
    (0x20, 0x00, 0x80),
    (0x24, 0x00, 0x81),
    (0x2C, 0x00, 0x80),
    (0x47, 0x00, 0x9E),
    (0x87, 0x11, 0x9E),
    (0x87, 0x03, 0x9B),
    (0xA4, 0x04, 0x00),
]
P1P2 = [(0x3F, 0xFF), (0x00, 0x80), (0x00, 0x81), (0x11, 0x9E), (0x03, 0x9B), (0x00, 0x9E)]
command_data = st.one_of(
    st.binary(max_size=40),
    st.builds(  # a template cut short: lengths that claim more than there is
        lambda tag, value, cut: encode_tlv(tag, value)[: max(1, cut)],
        st.sampled_from([0x7C, 0xAC, 0x5C, 0x53]),
        st.binary(min_size=1, max_size=40),
        st.integers(1, 40),
    ),
    st.builds(
        lambda outer, inner, value: encode_tlv(outer, encode_tlv(inner, value)),
        st.sampled_from([0x7C, 0xAC, 0x5C, 0x53]),
        st.sampled_from([0x80, 0x81, 0x82, 0x85, 0x5C]),
        st.binary(max_size=40),
    ),
    st.builds(
        lambda tag, value: encode_tlv(0x5C, tag) + encode_tlv(0x53, value),
        st.sampled_from([b"\x5f\xc1\x02", b"\x7e", b"\x5f\xc1\x01", b""]),
        st.binary(max_size=40),
    ),
)
commands = st.one_of(
    st.builds(
        lambda cla, ins, p1p2, data, le: CommandApdu(cla, ins, p1p2[0], p1p2[1], data, le).encode(),
        st.sampled_from([0x00, 0x00, 0x10, 0x80]),
        st.sampled_from(INSTRUCTIONS),
        # The parameters each instruction expects come up often; any others too.
        st.sampled_from(P1P2) | st.tuples(st.integers(0, 255), st.integers(0, 255)),
        command_data,
        st.none() | st.integers(1, 256),
    ),
    st.binary(max_size=12),
)


def _fresh_card(*, administrator: bool) -> Card:
    card = Card()
    assert card.sw(SELECT) == "9000"
    if administrator:
        card.authenticate_management_key()
    return card


def _assert_answered(answer: bytes, apdu: bytes) -> None:
    assert len(answer) >= 2
    assert answer[-2:] != b"\x6f\x00", f"internal failure on {apdu.hex()}"


@settings(max_examples=150, deadline=None)
@given(st.lists(commands, max_size=12), st.booleans())
def test_no_command_sequence_makes_the_card_fail_internally(
    script: list[bytes], as_administrator: bool
) -> None:
    card = _fresh_card(administrator=as_administrator)
    for apdu in script:
        _assert_answered(card.card.process_apdu(apdu), apdu)


@pytest.mark.parametrize(("ins", "p1", "p2"), HEADERS)
@settings(max_examples=100, deadline=None)
@given(st.lists(command_data, min_size=1, max_size=4), st.booleans(), st.booleans())
def test_every_instruction_survives_any_data(
    ins: int, p1: int, p2: int, payloads: list[bytes], as_administrator: bool, chained: bool
) -> None:
    card = _fresh_card(administrator=as_administrator)
    for data in payloads:
        cla = 0x10 if chained and data is not payloads[-1] else 0x00
        apdu = CommandApdu(cla, ins, p1, p2, data, le=256 if ins != 0x20 else None).encode()
        _assert_answered(card.card.process_apdu(apdu), apdu)
