"""Searching by name the way people type it: any case, with or without Vietnamese
diacritics ("ke toan" finds "Kế toán"), the same on SQLite and PostgreSQL.

Neither database folds diacritics (and SQLite's ``lower()`` only knows ASCII), so the
folding is done in Python with the same rule as holders' names
(card_service.holders.names.fold_name). Holders keep a folded column for that; the
small catalogues searched here (access groups, door groups, schedules, rules, the
service catalogue) do not, so their names are read and folded for each search.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false
from sqlalchemy.orm import InstrumentedAttribute, Session

from card_service.holders.names import fold_name

T = TypeVar("T")


def name_contains(
    session: Session,
    query: Select[T],
    q: str,
    *,
    id_column: InstrumentedAttribute[uuid.UUID],
    names: tuple[InstrumentedAttribute[Any], ...],
) -> Select[T]:
    """``query`` narrowed to rows where one of ``names`` contains ``q`` once both are
    folded. The candidates are the rows ``query`` already selects (its scope and other
    filters apply first), so a search never reaches beyond them."""
    needle = fold_name(q)
    if not needle:
        return query
    candidates = session.execute(query.with_only_columns(id_column, *names).order_by(None))
    found = [
        row[0] for row in candidates if any(needle in fold_name(value or "") for value in row[1:])
    ]
    condition: ColumnElement[bool] = id_column.in_(found) if found else false()
    return query.where(condition)
