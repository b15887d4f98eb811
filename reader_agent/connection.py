"""The abstract card connection all protocol code runs over.

A real reader (``reader_agent.pcsc``), a recorded-APDU fake in unit tests and a
virtual card in-process all provide this one method.
"""

from __future__ import annotations

from typing import Protocol


class Connection(Protocol):
    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU; return the response data followed by SW1 SW2."""
        ...
