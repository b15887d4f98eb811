"""A recorded-APDU connection: replays a card's answers and checks every command sent."""

from __future__ import annotations

from collections.abc import Iterable


class RecordedConnection:
    """Plays back ``(expected command, response)`` pairs in order.

    A command other than the one recorded fails the test at once, so protocol code is
    checked byte for byte against a real card's transcript (or a standard's example).
    """

    def __init__(self, exchanges: Iterable[tuple[bytes | str, bytes | str]]) -> None:
        self._script = [(_bytes(command), _bytes(response)) for command, response in exchanges]
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        index = len(self.sent)
        self.sent.append(apdu)
        if index >= len(self._script):
            raise AssertionError(f"unexpected extra command {apdu.hex().upper()}")
        expected, response = self._script[index]
        if apdu != expected:
            raise AssertionError(
                f"command {index}: sent {apdu.hex().upper()}, expected {expected.hex().upper()}"
            )
        return response

    def assert_finished(self) -> None:
        if len(self.sent) != len(self._script):
            raise AssertionError(f"only {len(self.sent)} of {len(self._script)} commands sent")


def _bytes(value: bytes | str) -> bytes:
    return bytes.fromhex(value.replace(" ", "")) if isinstance(value, str) else value
