"""A virtual ID card state shared by the eMRTD tests, and an in-process connection to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crypto.emrtd import CscaTrustStore
from reader_agent.virtual.emrtd_chip import EmrtdChip
from reader_agent.virtual.id_card_state import initialise, load_citizen, load_trust_material

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


class ChipConnection:
    """The chip answers in-process: protocol tests without pcscd."""

    def __init__(self, chip: EmrtdChip) -> None:
        self.chip = chip
        self.chip.power_on()
        self.commands = 0

    def transmit(self, apdu: bytes) -> bytes:
        self.commands += 1
        return self.chip.process_apdu(apdu)


@pytest.fixture(scope="session")
def card_state(tmp_path_factory):
    directory = tmp_path_factory.mktemp("id-card")
    initialise(directory, now=NOW, seed=20261124)
    return directory


@pytest.fixture(scope="session")
def citizen(card_state):
    return load_citizen(card_state)


@pytest.fixture(scope="session")
def trust_store(card_state):
    store = CscaTrustStore()
    store.add_certificate(load_trust_material(card_state).csca_certificate)
    return store
