"""Set membership that stays cheap for large sets.

``column IN (:p1, ..., :p1000)`` makes a new, long statement for every batch, which the
driver and the planner then chew through; on PostgreSQL one array parameter
(``column = ANY(CAST(:members AS uuid[]))``) does the same work with a constant
statement. The array goes over as one array literal built here: the driver's
element-by-element array adaptation costs more than the lookup itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam, cast
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import NullType


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def array_literal(values: Iterable[uuid.UUID | date]) -> str:
    """A PostgreSQL array literal of values whose text form needs no quoting."""
    return "{" + ",".join(map(str, values)) + "}"


def member_of(
    session: Session,
    column: ColumnElement[Any] | InstrumentedAttribute[Any],
    values: Iterable[uuid.UUID],
) -> ColumnElement[bool]:
    if is_postgresql(session):
        # An untyped parameter reaches the server as an "unknown" literal, which the cast
        # turns into a constant array at parse time (a VARCHAR would be cast per row).
        members = bindparam("members", array_literal(values), type_=NullType())
        return column == any_(cast(members, ARRAY(column.type)))
    return column.in_(list(values))
