"""Fixtures for the reader agent's unit tests."""

from __future__ import annotations

import pytest

from tests.reader_agent.door_pki import DoorPki


@pytest.fixture(scope="session")
def door_pki() -> DoorPki:
    return DoorPki.create()
