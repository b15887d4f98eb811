"""The vpcd framing, checked against a socket playing the driver's part."""

from __future__ import annotations

import socket
import struct
import threading

from reader_agent.virtual.ping_card import ATR, PING_AID, PingCard
from reader_agent.virtual.vpcd import VpcdLink


def _frame(payload: bytes) -> bytes:
    return struct.pack(">H", len(payload)) + payload


def _read_frame(sock: socket.socket) -> bytes:
    header = sock.recv(2, socket.MSG_WAITALL)
    (length,) = struct.unpack(">H", header)
    return sock.recv(length, socket.MSG_WAITALL)


def test_link_answers_atr_and_apdus_and_ignores_power_codes() -> None:
    card = PingCard()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        link = VpcdLink(card, port=port)
        link.connect(timeout=2)
        worker = threading.Thread(target=link.serve_forever, daemon=True)
        worker.start()
        driver, _ = server.accept()
        with driver:
            driver.sendall(_frame(b"\x01"))  # power on: no answer expected
            driver.sendall(_frame(b"\x04"))  # get ATR
            assert _read_frame(driver) == ATR
            powered_after_power_on = card.powered
            driver.sendall(_frame(bytes([0, 0xA4, 4, 0, len(PING_AID)]) + PING_AID))
            assert _read_frame(driver) == b"\x90\x00"
            driver.sendall(_frame(b"\x00"))  # power off
            driver.sendall(_frame(b"\x04"))
            assert _read_frame(driver) == ATR
            assert (powered_after_power_on, card.powered) == (True, False)
        worker.join(timeout=2)
        assert not worker.is_alive()


def test_ping_card_refuses_what_it_does_not_know() -> None:
    card = PingCard()
    card.power_on()
    assert card.process_apdu(b"\x00") == b"\x67\x00"
    assert card.process_apdu(bytes.fromhex("00A4040002AABB")) == b"\x6a\x82"
    assert card.process_apdu(bytes.fromhex("80EE000001AA")) == b"\x6d\x00"  # not selected
