"""A ``Connection`` straight to a virtual card in this process, without PC/SC.

Unit tests and the benchmark's personalisation step use it: the card sees exactly
the APDUs it would see through pcscd, minus the transport.
"""

from __future__ import annotations

from reader_agent.virtual.vpcd import VirtualCard


class DirectConnection:
    """Powers the card on when created; ``transmit`` is ``card.process_apdu``."""

    def __init__(self, card: VirtualCard) -> None:
        self.card = card
        card.power_on()

    def transmit(self, apdu: bytes) -> bytes:
        return self.card.process_apdu(apdu)

    def reset(self) -> None:
        """Power-cycle the card, as taking it away and tapping it again would."""
        self.card.power_off()
        self.card.power_on()
