"""The vpcd wire protocol, as spoken by vsmartcard's virtual smart card (vicc).

pcscd loads the vpcd driver, which listens on TCP (35963 for slot 0, 35964 for
slot 1). A virtual card connects as a client and then answers framed messages:
a 2-byte big-endian length, then either a one-byte control code (power off, power on,
reset, get ATR) or a command APDU. Every APDU and the ATR request is answered with
a framed response; control codes other than get-ATR are not answered.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time
from typing import Protocol

from reader_agent.errors import VirtualCardError

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
SLOT_PORTS = (35963, 35964)

_POWER_OFF = 0x00
_POWER_ON = 0x01
_RESET = 0x02
_GET_ATR = 0x04

_LENGTH = struct.Struct(">H")


class VirtualCard(Protocol):
    """What a card must provide to be served over vpcd."""

    @property
    def atr(self) -> bytes: ...

    def power_on(self) -> None: ...

    def power_off(self) -> None: ...

    def process_apdu(self, apdu: bytes) -> bytes:
        """Answer one command APDU with response data followed by SW1 SW2."""
        ...


class VpcdLink:
    """One connection from a virtual card to the vpcd driver."""

    def __init__(
        self, card: VirtualCard, *, host: str = DEFAULT_HOST, port: int = SLOT_PORTS[0]
    ) -> None:
        self._card = card
        self._host = host
        self._port = port
        self._socket: socket.socket | None = None
        self._stopping = threading.Event()

    def connect(self, *, timeout: float = 5.0) -> None:
        """Connect to vpcd, retrying until ``timeout`` (pcscd may still be starting)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self._host, self._port), timeout=1.0)
                break
            except OSError as exc:
                if time.monotonic() >= deadline:
                    raise VirtualCardError(
                        f"cannot reach the vpcd driver at {self._host}:{self._port} "
                        f"({exc.strerror or exc}); is pcscd running with vsmartcard-vpcd?"
                    ) from exc
                time.sleep(0.1)
        sock.settimeout(None)
        # Without NODELAY and QUICKACK every APDU waits ~40 ms for delayed ACKs.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket = sock

    def serve_forever(self) -> None:
        """Answer vpcd until it closes the connection or ``stop()`` is called."""
        if self._socket is None:
            self.connect()
        sock = self._socket
        if sock is None:
            raise VirtualCardError("vpcd connection closed before serving")
        try:
            while not self._stopping.is_set():
                message = self._receive(sock)
                if message is None:
                    return
                reply = self._handle(message)
                if reply is not None:
                    sock.sendall(_LENGTH.pack(len(reply)) + reply)
        except OSError:
            if not self._stopping.is_set():
                raise
        finally:
            self.close()

    def stop(self) -> None:
        self._stopping.set()
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _handle(self, message: bytes) -> bytes | None:
        if len(message) == 1:
            code = message[0]
            if code == _GET_ATR:
                return self._card.atr
            if code == _POWER_ON:
                self._card.power_on()
            elif code in (_POWER_OFF, _RESET):
                self._card.power_off()
                if code == _RESET:
                    self._card.power_on()
            return None
        return self._card.process_apdu(message)

    @staticmethod
    def _receive(sock: socket.socket) -> bytes | None:
        # Re-arm QUICKACK before each read: the kernel clears it after use.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        header = _read_exactly(sock, _LENGTH.size)
        if header is None:
            return None
        (length,) = _LENGTH.unpack(header)
        return _read_exactly(sock, length)


def _read_exactly(sock: socket.socket, count: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < count:
        chunk = sock.recv(count - len(chunks))
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)
