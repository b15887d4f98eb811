"""reader.toml's [counter] section."""

from __future__ import annotations

import pytest

from reader_agent.settings import SettingsError, load_settings
from reader_protocol.counter import LegalBasis

BASE = 'service_url = "http://127.0.0.1:8000"\ndata_dir = "d"\n[reader]\npcsc_reader = "A"\n'


def _load(tmp_path, text):
    path = tmp_path / "reader.toml"
    path.write_text(BASE + text, encoding="utf-8")
    return load_settings(path)


def test_no_citizen_desk_by_default(tmp_path) -> None:
    counter = _load(tmp_path, "").counter
    assert counter.citizen_reader is None
    assert (counter.screen_port, counter.citizen_data_seconds) == (8765, 900)


def test_a_citizen_desk(tmp_path) -> None:
    counter = _load(
        tmp_path,
        '[counter]\ncitizen_reader = "B"\nscreen_port = 9000\ndefault_legal_basis = "consent"\n',
    ).counter
    assert (counter.citizen_reader, counter.screen_port) == ("B", 9000)
    assert counter.default_legal_basis is LegalBasis.CONSENT


@pytest.mark.parametrize(
    "text",
    [
        '[counter]\ncitizen_reader = "A"\n',  # the tap reader would tap citizens' cards
        "[counter]\ncitizen_data_seconds = 0\n",
        '[counter]\ndefault_legal_basis = "whim"\n',
        '[counter]\nscreen_host = "0.0.0.0"\n',  # the screen listens on loopback only
    ],
)
def test_mistakes_are_refused(tmp_path, text) -> None:
    with pytest.raises(SettingsError):
        _load(tmp_path, text)
