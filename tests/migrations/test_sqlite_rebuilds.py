"""SQLite rebuilds a table to change its columns (Alembic's batch mode). The migration
runner switches foreign keys off around a run, as SQLite's own procedure says, so that
dropping the old copy neither deletes the rows that refer to it (ON DELETE CASCADE) nor
fails on them (RESTRICT); a run that would leave a dangling reference rolls back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from card_service.db import migrate
from card_service.db.engine import make_engine
from tests.support.databases import sqlite_url

NOW = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
TS = sa.DateTime(timezone=True)

UNITS = sa.table(
    "org_units",
    *(sa.column(c) for c in ("kind", "code", "name", "path")),
    sa.column("id", sa.Uuid()),
    sa.column("created_at", TS),
)
HOLDERS = sa.table(
    "holders",
    *(sa.column(c) for c in ("kind", "full_name", "name_folded")),
    *(sa.column(c, sa.Uuid()) for c in ("id", "unit_id")),
    sa.column("active", sa.Boolean()),
    sa.column("version", sa.Integer()),
    *(sa.column(c, TS) for c in ("created_at", "updated_at")),
)
CARDS = sa.table(
    "cards",
    *(sa.column(c) for c in ("serial", "technology", "state")),
    *(sa.column(c, sa.Uuid()) for c in ("id", "holder_id")),
    sa.column("version", sa.Integer()),
    *(sa.column(c, TS) for c in ("created_at", "updated_at")),
)
TRANSITIONS = sa.table(
    "card_transitions",
    *(sa.column(c) for c in ("to_state", "reason", "actor")),
    sa.column("card_id", sa.Uuid()),
    sa.column("occurred_at", TS),
)


def _card_with_history(engine: sa.Engine) -> None:
    unit, holder, card = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with engine.begin() as db:
        db.execute(
            UNITS.insert().values(
                id=unit,
                kind="agency",
                code="SNV",
                name="Sở Nội vụ",
                path=f"/{unit}/",
                created_at=NOW,
            )
        )
        db.execute(
            HOLDERS.insert().values(
                id=holder,
                kind="staff",
                full_name="Nguyễn Văn An",
                name_folded="nguyen van an",
                unit_id=unit,
                active=True,
                version=1,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        db.execute(
            CARDS.insert().values(
                id=card,
                serial="HUE-0001",
                holder_id=holder,
                technology="piv",
                state="requested",
                version=1,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        db.execute(
            TRANSITIONS.insert().values(
                card_id=card,
                to_state="requested",
                reason="requested",
                actor="admin",
                occurred_at=NOW,
            )
        )


def _count(engine: sa.Engine, table: sa.TableClause) -> int:
    with engine.connect() as db:
        return db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_table_rebuild_keeps_the_rows_that_refer_to_it(tmp_path: Path) -> None:
    """0010's downgrade rebuilds ``cards``, which ``card_transitions`` refers to
    (RESTRICT): with foreign keys on, dropping the old copy failed."""
    engine = make_engine(sqlite_url(tmp_path))
    migrate.upgrade(engine, "0010")
    _card_with_history(engine)
    migrate.downgrade(engine, "0009")
    assert (_count(engine, CARDS), _count(engine, TRANSITIONS)) == (1, 1)
    migrate.upgrade(engine)
    assert (_count(engine, CARDS), _count(engine, TRANSITIONS)) == (1, 1)
    with engine.connect() as db:  # pooled connections get enforcement back
        assert db.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_a_run_that_leaves_a_dangling_reference_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    migrate.upgrade(engine, "0013")
    _card_with_history(engine)
    real_upgrade = command.upgrade

    def upgrade_then_lose_the_cards(config: Config, revision: str) -> None:
        real_upgrade(config, revision)
        connection = config.attributes["connection"]
        Operations(MigrationContext.configure(connection)).execute("DELETE FROM cards")

    monkeypatch.setattr(command, "upgrade", upgrade_then_lose_the_cards)
    with pytest.raises(migrate.ForeignKeyViolationError, match="card_transitions"):
        migrate.upgrade(engine)
    monkeypatch.undo()
    with engine.connect() as db:
        assert migrate.current_revision(db) == "0013"
    assert (_count(engine, CARDS), _count(engine, TRANSITIONS)) == (1, 1)
