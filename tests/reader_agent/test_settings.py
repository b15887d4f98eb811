"""reader.toml: the documented example parses; mistakes are refused with their place."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from reader_agent.settings import DoorKind, SettingsError, load_settings
from reader_protocol.enrolment import ReaderMode

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "reader.toml"


def test_the_documented_example_parses():
    settings = load_settings(EXAMPLE)
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.data_dir == Path("/var/lib/reader-agent")
    assert settings.reader.pcsc_reader == "Virtual PCD 00 00"
    assert settings.enrolment.mode is ReaderMode.DOOR
    assert settings.door.kind is DoorKind.SIMULATED
    assert settings.local_max_crl_age is None
    assert settings.sync.heartbeat_seconds == 15


def test_relative_paths_are_relative_to_the_file(tmp_path):
    path = tmp_path / "etc" / "reader.toml"
    path.parent.mkdir()
    path.write_text(
        'service_url = "https://ecard.example/"\ndata_dir = "state"\n'
        'trust_roots = ["root.pem"]\n[policy]\nmax_crl_age_seconds = 600\n'
    )
    settings = load_settings(path)
    assert settings.data_dir == path.parent / "state"
    assert settings.trust_roots == [path.parent / "root.pem"]
    assert settings.base_url == "https://ecard.example"
    assert settings.local_max_crl_age == timedelta(minutes=10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('data_dir = "x"\n', "service_url"),
        ('service_url = "x"\ndata_dir = "x"\n', "service_url"),
        ('service_url = "http://a"\ndata_dir = "x"\n[door]\nkind = "gate"\n', "door.kind"),
        ('service_url = "http://a"\ndata_dir = "x"\nsurprise = 1\n', "surprise"),
        ('service_url = "http://a"\ndata_dir = "x"\n[sync]\nheartbeat_seconds = 90\n', "sync"),
        ("service_url = \n", "not valid TOML"),
    ],
)
def test_mistakes_are_refused_with_their_place(tmp_path, text, message):
    path = tmp_path / "reader.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_settings(path)


def test_a_missing_file_is_a_settings_error(tmp_path):
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(tmp_path / "absent.toml")


def test_the_cli_says_what_is_wrong_with_sysexits_codes(tmp_path, capsys):
    from reader_agent.cli import EXIT_CONFIG, main

    assert main(["run", "--config", str(tmp_path / "absent.toml")]) == EXIT_CONFIG
    path = tmp_path / "reader.toml"
    path.write_text(f'service_url = "http://127.0.0.1:9"\ndata_dir = "{tmp_path / "d"}"\n')
    assert main(["run", "--config", str(path)]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "reader-agent: error: cannot read" in err
    assert "run `reader-agent enrol`" in err
