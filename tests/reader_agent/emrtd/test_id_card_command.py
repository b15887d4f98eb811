"""``reader-agent virtual-id-card``: --init writes a usable card; errors end in one line."""

from __future__ import annotations

from reader_agent.cli import main
from reader_agent.virtual.id_card_state import load_citizen, load_trust_material


def test_init_creates_a_card_and_prints_its_test_can(tmp_path, capsys):
    assert main(["virtual-id-card", "--init", str(tmp_path / "card"), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    citizen = load_citizen(tmp_path / "card")
    assert f"CAN: {citizen.can}" in out
    assert citizen.mrz() in out
    assert len(citizen.id_number) == 12
    assert load_trust_material(tmp_path / "card").master_list
    # The keys are owner-only files.
    assert (tmp_path / "card" / "chip-ca-key.pem").stat().st_mode & 0o077 == 0


def test_init_refuses_to_overwrite_and_state_must_exist(tmp_path, capsys):
    main(["virtual-id-card", "--init", str(tmp_path / "card"), "--seed", "3"])
    assert main(["virtual-id-card", "--init", str(tmp_path / "card")]) == 1
    assert main(["virtual-id-card", "--state", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert err.count("reader-agent: error:") == 2
