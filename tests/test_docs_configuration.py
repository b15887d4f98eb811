"""docs/configuration.md names every setting the service reads, and no setting it lacks."""

from __future__ import annotations

import re
from pathlib import Path

from card_service.settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def _documented() -> set[str]:
    return set(re.findall(r"`ECARD_([A-Z0-9_]+)`", DOC.read_text(encoding="utf-8")))


def test_every_setting_is_documented() -> None:
    expected = {name.upper() for name in Settings.model_fields}
    assert expected - _documented() == set()


def test_no_documented_setting_is_unknown() -> None:
    expected = {name.upper() for name in Settings.model_fields}
    assert _documented() - expected == set()
