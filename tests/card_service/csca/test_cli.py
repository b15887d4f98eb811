"""``card-service csca-import`` and ``purge-citizen-data`` on the embedded database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from card_service.cli import main
from reader_agent.virtual.id_card_state import initialise


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ECARD_DATA_DIR", str(tmp_path / "data"))
    assert main(["migrate"]) == 0
    return tmp_path / "data"


def test_import_the_virtual_cards_test_csca(data_dir: Path, tmp_path: Path, capsys) -> None:
    card = tmp_path / "cccd"
    initialise(card, now=datetime.now(UTC) - timedelta(minutes=1), seed=7)
    capsys.readouterr()
    assert main(["csca-import", str(card / "master-list.ml")]) == 1
    assert "needs --anchor" in capsys.readouterr().err
    assert (
        main(["csca-import", str(card / "master-list.ml"), "--anchor", str(card / "csca.der")]) == 0
    )
    assert "master list imported" in capsys.readouterr().out
    assert main(["csca-import", str(card / "rogue-csca.der")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--note" in err[0]
    assert main(["csca-import", str(tmp_path / "missing.der")]) == 1


def test_purge_citizen_data_reports_the_count(data_dir: Path, capsys) -> None:
    assert main(["purge-citizen-data"]) == 0
    assert "from 0 counter session(s) older than 365 days" in capsys.readouterr().out
