"""The real PC/SC path: pcscd + vpcd driver + a virtual card process + pyscard."""

from __future__ import annotations

import pytest

from reader_agent.errors import NoCardError, NoReaderError
from reader_agent.pcsc import PcscConnection, list_readers
from reader_agent.virtual.ping_card import ATR, PING_AID
from reader_agent.virtual.vpcd import SLOT_PORTS
from tests.support.pcsc import exclusive_slot, virtual_card_process, vpcd_reader_name

pytestmark = [pytest.mark.pcsc, pytest.mark.usefixtures("pcscd")]

SELECT_PING = bytes([0x00, 0xA4, 0x04, 0x00, len(PING_AID)]) + PING_AID


def test_pyscard_lists_the_virtual_reader_and_exchanges_apdus() -> None:
    with virtual_card_process(["--kind", "ping"]) as card:
        assert card.reader_name in list_readers()
        with PcscConnection(card.reader_name) as connection:
            assert connection.atr == ATR
            assert connection.transmit(SELECT_PING) == b"\x90\x00"
            echoed = connection.transmit(bytes.fromhex("80EE000003010203"))
            assert echoed == bytes.fromhex("0302019000")
            assert connection.transmit(bytes.fromhex("00B0000000")) == b"\x6d\x00"


def test_an_empty_slot_and_an_unknown_reader_fail_closed() -> None:
    empty_slot = vpcd_reader_name(SLOT_PORTS[1])
    with exclusive_slot(SLOT_PORTS[1]), pytest.raises(NoCardError):
        PcscConnection(empty_slot).open()
    with pytest.raises(NoReaderError):
        PcscConnection("No Such Reader 00 00").open()
