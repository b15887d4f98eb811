"""reader.toml's [counter] section."""

from __future__ import annotations

from typing import Any

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


@pytest.mark.parametrize(("mode", "refused"), [("counter", False), ("door", True)])
def test_a_citizen_desk_only_at_a_counter_reader(tmp_path, mode, refused) -> None:
    from types import SimpleNamespace

    from reader_agent.agent import _check_mode
    from reader_protocol.enrolment import ReaderMode

    settings = _load(tmp_path, '[counter]\ncitizen_reader = "B"\n')
    identity: Any = SimpleNamespace(mode=ReaderMode(mode))  # only its mode is read
    if refused:
        with pytest.raises(SettingsError, match="citizen_reader"):
            _check_mode(settings, identity)
    else:
        _check_mode(settings, identity)
