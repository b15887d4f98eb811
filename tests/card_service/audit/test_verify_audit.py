"""`card-service verify-audit` finds rows edited, deleted, inserted or reordered
directly in the database, and names the first broken entry."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Engine, Table, insert, select, text, update

from card_service.audit.models import AuditEntry
from card_service.cli import EXIT_VERIFICATION_FAILED, main
from card_service.db.engine import make_engine
from crypto.audit import canonical_entry, chain_hash
from tests.conftest import DATABASES
from tests.support.databases import fresh_postgres_database, sqlite_url

ENTRIES = cast(Table, AuditEntry.__table__)  # the table itself: changes bypass the service


@pytest.fixture(params=DATABASES)
def seeded(request, tmp_path: Path, monkeypatch) -> Iterator[Engine]:
    """A database through the CLI: migrated, demo organisation, a checkpoint, more entries."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
        yield from _seed(url, tmp_path, monkeypatch)
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_admin")) as url:
        yield from _seed(url, tmp_path, monkeypatch)


def _seed(url: str, tmp_path: Path, monkeypatch) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ECARD_DATA_DIR", str(tmp_path / "data"))
    assert main(["migrate"]) == 0
    assert main(["demo-seed"]) == 0  # units, users, CA: about twenty entries
    assert main(["audit-checkpoint"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another-long-password\n"))
    assert main(["create-admin", "--username", "second", "--password-stdin"]) == 0
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _verify(capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify-audit"])
    captured = capsys.readouterr()
    return code, (captured.err or captured.out).strip()


def _head(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(text("SELECT max(seq) FROM audit_entries")))


def test_an_untouched_chain_verifies(seeded, capsys) -> None:
    code, message = _verify(capsys)
    assert code == 0, message
    assert f"up to {_head(seeded)}" in message
    assert "1 signed checkpoint(s) verified" in message


def test_an_edited_row(seeded, capsys) -> None:
    with seeded.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 5"))
    code, message = _verify(capsys)
    assert code == EXIT_VERIFICATION_FAILED
    assert message.startswith("card-service: error: audit chain broken at entry 5 (edited)")


def test_a_deleted_row(seeded, capsys) -> None:
    with seeded.begin() as connection:
        connection.execute(text("DELETE FROM audit_entries WHERE seq = 7"))
    code, message = _verify(capsys)
    assert code == EXIT_VERIFICATION_FAILED
    assert "entry 7 (deleted)" in message


def test_the_deleted_last_row_before_a_checkpoint(seeded, capsys) -> None:
    with seeded.connect() as connection:
        signed = connection.scalar(text("SELECT max(seq) FROM audit_checkpoints"))
    with seeded.begin() as connection:
        connection.execute(text("DELETE FROM audit_entries WHERE seq >= :s"), {"s": signed})
    code, message = _verify(capsys)
    assert code == EXIT_VERIFICATION_FAILED
    assert f"entry {signed} (deleted)" in message


def _entry_fields(row) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "occurred_at": row.occurred_at,
        "actor": row.actor,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "data": row.data,
    }


def test_an_inserted_row(seeded, capsys) -> None:
    """A forged entry slipped in after entry 4, its own hash made to look right."""
    with seeded.begin() as connection:
        for seq in sorted(
            connection.scalars(select(ENTRIES.c.seq).where(ENTRIES.c.seq > 4)), reverse=True
        ):  # make room, from the top down
            connection.execute(update(ENTRIES).where(ENTRIES.c.seq == seq).values(seq=seq + 1))
        before = connection.execute(select(ENTRIES).where(ENTRIES.c.seq == 4)).one()
        forged = {
            "seq": 5,
            "occurred_at": before.occurred_at,
            "actor": "user:intruder",
            "action": "card.revoke",
            "object_type": "card",
            "object_id": None,
            "data": {},
        }
        digest = chain_hash(before.entry_hash, canonical_entry(**forged))
        connection.execute(
            insert(ENTRIES).values(**forged, prev_hash=before.entry_hash, entry_hash=digest)
        )
    code, message = _verify(capsys)
    assert code == EXIT_VERIFICATION_FAILED
    assert "entry 5 (inserted)" in message


def test_rewritten_history_is_caught_by_the_signed_checkpoint(seeded, capsys) -> None:
    """Edit entry 3 and recompute every hash after it: only the checkpoint can tell."""
    with seeded.begin() as connection:
        connection.execute(update(ENTRIES).where(ENTRIES.c.seq == 3).values(actor="user:mallory"))
        prev = connection.scalar(select(ENTRIES.c.entry_hash).where(ENTRIES.c.seq == 2))
        rows = connection.execute(
            select(ENTRIES).where(ENTRIES.c.seq >= 3).order_by(ENTRIES.c.seq)
        ).all()
        for row in rows:
            digest = chain_hash(prev, canonical_entry(**_entry_fields(row)))
            connection.execute(
                update(ENTRIES)
                .where(ENTRIES.c.seq == row.seq)
                .values(prev_hash=prev, entry_hash=digest)
            )
            prev = digest
    code, message = _verify(capsys)
    assert code == EXIT_VERIFICATION_FAILED
    assert "(edited)" in message
    assert "entry 1 " in message  # everything up to the checkpoint is suspect


def test_reordered_rows(seeded, capsys) -> None:
    """Entries 6 and 7 swap places (their seq numbers exchanged)."""
    with seeded.begin() as connection:
        connection.execute(update(ENTRIES).where(ENTRIES.c.seq == 6).values(seq=-6))
        connection.execute(update(ENTRIES).where(ENTRIES.c.seq == 7).values(seq=6))
        connection.execute(update(ENTRIES).where(ENTRIES.c.seq == -6).values(seq=7))
    code, message = _verify(capsys)
    assert code == EXIT_VERIFICATION_FAILED
    assert "entry 6 (reordered)" in message
