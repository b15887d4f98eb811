from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader_agent.iso7816.apdu import CommandApdu, parse_command

byte = st.integers(0, 255)


@st.composite
def commands(draw: st.DrawFn) -> CommandApdu:
    data = draw(st.binary(max_size=700))
    le = draw(st.none() | st.integers(1, 65536))
    return CommandApdu(draw(byte), draw(byte), draw(byte), draw(byte), data, le)


def test_short_cases_match_iso_7816_examples() -> None:
    assert CommandApdu(0x00, 0xA4, 0x04, 0x00).encode() == bytes.fromhex("00A40400")
    assert CommandApdu(0x00, 0xB0, 0, 0, le=256).encode() == bytes.fromhex("00B0000000")
    assert CommandApdu(0x00, 0xA4, 4, 0, b"\xa0\x00").encode() == bytes.fromhex("00A4040002A000")
    assert CommandApdu(0x00, 0xA4, 4, 0, b"\xa0", le=256).encode() == bytes.fromhex(
        "00A4040001A000"
    )


def test_extended_encoding_when_data_or_le_do_not_fit() -> None:
    long = CommandApdu(0x00, 0xDB, 0x3F, 0xFF, bytes(300), le=None)
    assert long.encode()[:7] == bytes.fromhex("00DB3FFF00012C")
    assert CommandApdu(0, 0xB0, 0, 0, le=65536).encode() == bytes.fromhex("00B00000000000")
    assert CommandApdu(0, 0xB0, 0, 0, le=1000).encode() == bytes.fromhex("00B000000003E8")
    with pytest.raises(ValueError, match="short"):
        long.encode(extended=False)


def test_chaining_sets_the_chaining_bit_on_all_but_the_last() -> None:
    chain = CommandApdu(0x00, 0xDB, 0x3F, 0xFF, bytes(600), le=256).chained()
    assert [c.cla for c in chain] == [0x10, 0x10, 0x00]
    assert [len(c.data) for c in chain] == [255, 255, 90]
    assert [c.le for c in chain] == [None, None, 256]


@pytest.mark.parametrize(
    "kwargs", [{"cla": 256}, {"ins": -1}, {"le": 0}, {"le": 65537}, {"data": bytes(65536)}]
)
def test_out_of_range_fields_are_refused(kwargs) -> None:
    fields = {"cla": 0, "ins": 0, "p1": 0, "p2": 0} | kwargs
    with pytest.raises(ValueError, match=r"must|exceeds"):
        CommandApdu(**fields)


@given(commands())
def test_encode_parse_round_trip(command: CommandApdu) -> None:
    assert parse_command(command.encode()) == command


@given(st.binary(max_size=12))
def test_parse_command_refuses_garbage_or_parses_consistently(raw: bytes) -> None:
    try:
        command = parse_command(raw)
    except ValueError:
        return
    assert parse_command(command.encode()) == command
