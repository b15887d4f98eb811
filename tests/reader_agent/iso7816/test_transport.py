from __future__ import annotations

import pytest

from reader_agent.errors import CardStatusError, MalformedResponseError
from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.status import SW, ResponseApdu, retries_left
from reader_agent.iso7816.transport import exchange
from tests.support.recorded import RecordedConnection


def test_get_response_collects_long_answers() -> None:
    card = RecordedConnection(
        [
            ("00CB3FFF055C035FC10500", "AABB6104"),
            ("00C0000004", "CCDD6102"),
            ("00C0000002", "EEFF9000"),
        ]
    )
    command = CommandApdu(0x00, 0xCB, 0x3F, 0xFF, bytes.fromhex("5C035FC105"), le=256)
    response = exchange(card, command)
    assert response == ResponseApdu(bytes.fromhex("AABBCCDDEEFF"), SW.SUCCESS)
    card.assert_finished()


def test_long_command_data_is_chained() -> None:
    data = bytes(range(256)) + b"\x01"
    card = RecordedConnection(
        [
            ("10DB3FFFFF" + data[:255].hex(), "9000"),
            ("00DB3FFF02" + data[255:].hex(), "9000"),
        ]
    )
    assert exchange(card, CommandApdu(0x00, 0xDB, 0x3F, 0xFF, data)).ok
    card.assert_finished()


def test_a_refused_chain_link_stops_the_chain() -> None:
    card = RecordedConnection([("10DB3FFFFF" + "00" * 255, "6884")])
    response = exchange(card, CommandApdu(0x00, 0xDB, 0x3F, 0xFF, bytes(300)))
    assert response.sw == SW.COMMAND_CHAINING_NOT_SUPPORTED


def test_wrong_le_is_retried_once_with_the_cards_length() -> None:
    card = RecordedConnection([("00B0000000", "6C10"), ("00B0000010", "00" * 16 + "9000")])
    assert exchange(card, CommandApdu(0, 0xB0, 0, 0, le=256)).data == bytes(16)


def test_endless_more_data_is_refused() -> None:
    class Endless:
        def transmit(self, apdu: bytes) -> bytes:
            return b"\x00" * 255 + b"\x61\x00"

    with pytest.raises(MalformedResponseError):
        exchange(Endless(), CommandApdu(0, 0xB0, 0, 0, le=256))


def test_status_helpers() -> None:
    assert retries_left(0x63C2) == 2
    assert retries_left(0x6300) is None
    with pytest.raises(CardStatusError) as raised:
        ResponseApdu(b"", 0x6982).require_success()
    assert raised.value.sw == SW.SECURITY_STATUS_NOT_SATISFIED
    with pytest.raises(MalformedResponseError):
        ResponseApdu.parse(b"\x90")
