"""Whatever a card answers, the client raises a CardCommunicationError or succeeds:
never IndexError, KeyError, ValueError or anything a reader would not fail closed on."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader_agent.errors import CardCommunicationError, MalformedResponseError, NoCardError
from reader_agent.iso7816.tlv import encode_tlv
from reader_agent.piv import (
    DEFAULT_MANAGEMENT_KEY,
    DataObjectNotFoundError,
    KeyNotFoundError,
    PinBlockedError,
    PinIncorrectError,
    PivClient,
    PivStatusError,
    SecurityStatusNotSatisfiedError,
    Slot,
)
from tests.support.recorded import RecordedConnection


class ScriptedCard:
    """Answers each command with the next scripted response, whatever it was; then
    behaves as a card taken away."""

    def __init__(self, responses: list[bytes]) -> None:
        self._responses = list(responses)

    def transmit(self, apdu: bytes) -> bytes:
        if not self._responses:
            raise NoCardError("card removed")
        return self._responses.pop(0)


Operation = Callable[[PivClient], object]
OPERATIONS: dict[str, Operation] = {
    "select": lambda c: c.select(),
    "read_chuid": lambda c: c.read_chuid(),
    "read_certificate": lambda c: c.read_certificate(Slot.CARD_AUTHENTICATION),
    "read_discovery": lambda c: c.read_object(0x7E),
    "authenticate": lambda c: c.authenticate(Slot.CARD_AUTHENTICATION, bytes(32)),
    "verify_pin": lambda c: c.verify_pin("123456"),
    "pin_status": lambda c: c.pin_status(),
    "management_key": lambda c: c.authenticate_management_key(DEFAULT_MANAGEMENT_KEY),
    "generate_key": lambda c: c.generate_key(Slot.PIV_AUTHENTICATION),
    "put_certificate": lambda c: c.put_certificate(Slot.CARD_AUTHENTICATION, bytes(600)),
}

PIV_TAGS = [0x7C, 0x80, 0x81, 0x82, 0x53, 0x70, 0x71, 0xFE, 0x61, 0x4F, 0x79, 0x7F49, 0x86, 0x7E]
status_words = st.one_of(
    st.just(0x9000),  # success is where parsing happens, so it comes up most
    st.sampled_from([0x9000, 0x6A82, 0x6982, 0x6983, 0x6A80, 0x6A86, 0x6A88, 0x6D00]),
    st.integers(0x6100, 0x61FF),
    st.integers(0x6C00, 0x6CFF),
    st.integers(0x63C0, 0x63CF),
    st.integers(0, 0xFFFF),
)


def _tlv_tree(depth: int) -> st.SearchStrategy[bytes]:
    leaf = st.builds(encode_tlv, st.sampled_from(PIV_TAGS), st.binary(max_size=70))
    if depth == 0:
        return leaf
    children = st.lists(_tlv_tree(depth - 1), max_size=3).map(b"".join)
    return leaf | st.builds(encode_tlv, st.sampled_from(PIV_TAGS), children)


def _mangle(data: bytes, cut: int, flip: int) -> bytes:
    """Truncate at ``cut`` or flip a byte, to break lengths the tree got right."""
    if not data:
        return data
    if cut % 2:
        return data[: cut % len(data)]
    index = flip % len(data)
    return data[:index] + bytes((data[index] ^ 0x01,)) + data[index + 1 :]


# Near-misses of the answers the client expects: one 7C / 53 / 7F49 template around
# an item of any size.
near_misses = st.builds(
    lambda outer, inner, value: encode_tlv(outer, encode_tlv(inner, value)),
    st.sampled_from([0x7C, 0x53, 0x7F49, 0x61]),
    st.sampled_from([0x80, 0x81, 0x82, 0x86, 0x70, 0x4F]),
    st.binary(max_size=80),
)
card_data = st.one_of(
    near_misses,
    st.binary(max_size=300),
    _tlv_tree(2),
    st.builds(_mangle, _tlv_tree(2), st.integers(0, 500), st.integers(0, 500)),
)
responses = st.one_of(
    st.builds(lambda data, sw: data + sw.to_bytes(2, "big"), card_data, status_words),
    st.binary(max_size=3),  # shorter than a status word
)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@settings(max_examples=200, deadline=None)
@given(script=st.lists(responses, max_size=6))
def test_any_answer_raises_only_card_communication_errors(name: str, script: list[bytes]) -> None:
    client = PivClient(ScriptedCard(script), random_bytes=bytes)
    with contextlib.suppress(CardCommunicationError):
        OPERATIONS[name](client)


def test_chaining_that_never_ends_is_refused() -> None:
    client = PivClient(ScriptedCard([b"\x00" * 256 + b"\x61\x00"] * 1000))
    with pytest.raises(MalformedResponseError):
        client.read_certificate(Slot.CARD_AUTHENTICATION)


@pytest.mark.parametrize(
    ("sw", "error"),
    [
        ("6A82", DataObjectNotFoundError),
        ("6982", SecurityStatusNotSatisfiedError),
        ("6A88", KeyNotFoundError),
        ("6A80", PivStatusError),
        ("6F00", PivStatusError),
    ],
)
def test_status_words_map_to_specific_errors(sw: str, error: type[Exception]) -> None:
    card = RecordedConnection([("00CB3FFF055C035FC10200", sw)])
    with pytest.raises(error) as raised:
        PivClient(card).read_chuid()
    assert isinstance(raised.value, PivStatusError)
    assert raised.value.sw == int(sw, 16)


def test_pin_errors_carry_tries_left() -> None:
    verify = "0020008008313233343536FFFF"
    card = RecordedConnection([(verify, "63C1"), (verify, "63C0"), (verify, "6983")])
    client = PivClient(card)
    with pytest.raises(PinIncorrectError) as first:
        client.verify_pin("123456")
    assert first.value.retries_left == 1
    with pytest.raises(PinBlockedError) as last_try:
        client.verify_pin("123456")
    assert last_try.value.retries_left == 0
    with pytest.raises(PinBlockedError):
        client.verify_pin("123456")


@pytest.mark.parametrize(
    "response",
    [
        "7C0482008200" + "9000",  # empty signature
        "7C03820100" + "00" + "9000",  # trailing garbage after the template
        "820100" + "9000",  # no 7C template
        "7C0A8108" + "00" * 8 + "9000",  # no 82 in the template
        "7C0A82" + "9000",  # truncated
    ],
)
def test_bad_signature_answers_are_malformed(response: str) -> None:
    command = "0087119E267C2482008120" + "00" * 32 + "00"
    with pytest.raises(MalformedResponseError):
        PivClient(RecordedConnection([(command, response)])).authenticate(
            Slot.CARD_AUTHENTICATION, bytes(32)
        )


@pytest.mark.parametrize(
    "point",
    [
        "04" + "00" * 64,  # not on the curve
        "02" + "11" * 32,  # compressed: not what SP 800-73-4 returns
        "04" + "11" * 63,  # one byte short
    ],
)
def test_bad_generated_points_are_malformed(point: str) -> None:
    answer = encode_tlv(0x7F49, encode_tlv(0x86, bytes.fromhex(point))).hex() + "9000"
    card = RecordedConnection([("004700 9E05AC0380011100".replace(" ", ""), answer)])
    with pytest.raises(MalformedResponseError):
        PivClient(card).generate_key(Slot.CARD_AUTHENTICATION)
