"""Fixtures for the crypto tests."""

from __future__ import annotations

import pytest

from tests.crypto.pki import Pki, make_pki


@pytest.fixture
def pki() -> Pki:
    return make_pki()
