"""The SQL twin of the day code gives the same symbol as the Python one, everywhere."""

from __future__ import annotations

import itertools

from sqlalchemy import String, literal, null, select

from card_service.attendance.kinds import DayKind, DayStatus, LeaveType
from card_service.attendance.month_sql import code_sql
from card_service.attendance.timesheet_codes import DayFigures, day_code


def test_sql_and_python_codes_agree(connection) -> None:
    combos = list(itertools.product(DayStatus, DayKind, [None, *LeaveType]))
    for status, kind, leave in combos:
        leave_sql = null() if leave is None else literal(leave.value, String)
        expression = code_sql(literal(status.value, String), literal(kind.value, String), leave_sql)
        in_sql = connection.scalar(select(expression)) or ""
        in_python = day_code(
            DayFigures(status.value, kind.value, leave.value if leave else None, 0, 0, 0, 0, False)
        )
        assert (status, kind, leave, in_sql) == (status, kind, leave, in_python)
    assert len(combos) == 5 * 4 * 7
