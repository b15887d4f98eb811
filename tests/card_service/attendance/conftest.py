"""An office with office hours, a reader and staff, and helpers to tap and read days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from card_service.attendance.detail import person_days
from card_service.attendance.schedules import (
    PeriodSpec,
    ScheduleRules,
    assign_unit_schedule,
    create_schedule,
)
from card_service.attendance.timesheet import DayFigures, day_code
from card_service.events.service import ingest_batch
from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.orgunits.service import create_unit
from card_service.readers.models import Reader
from reader_protocol.events import TapEventMessage, TapKind
from tests.card_service.events.factories import batch, make_holder, make_reader, tap

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = [
    PeriodSpec(weekday, start, end)
    for weekday in range(5)
    for start, end in ((7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60))
]


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Huế, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=HUE).astimezone(UTC)


@dataclass
class Office:
    session: Session
    unit: OrgUnit
    reader: Reader
    staff: list[Holder]

    def tap(
        self,
        *moments: datetime,
        holder: Holder | None = None,
        kind: TapKind = TapKind.ATTENDANCE,
        clock_ahead: timedelta = timedelta(0),
        uploaded_at: datetime | None = None,
    ) -> None:
        """Taps at real ``moments``, from a reader whose clock is ``clock_ahead``."""
        who = holder or self.staff[0]
        events: list[TapEventMessage] = [
            tap(moment + clock_ahead, holder=who, kind=kind) for moment in moments
        ]
        now = uploaded_at or max(moments) + timedelta(minutes=1)
        ingest_batch(self.session, self.reader, batch(events, sent_at=now + clock_ahead), now=now)

    def tap_batch(self, events: list[TapEventMessage], *, now: datetime) -> None:
        ingest_batch(self.session, self.reader, batch(events, sent_at=now), now=now)

    def days(self, first: date, last: date, *, now: datetime, holder: Holder | None = None):
        who = holder or self.staff[0]
        return person_days(self.session, who, first, last, now=now).days


def hhmm(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(HUE).strftime("%d %H:%M")


def table(rows) -> list[tuple[object, ...]]:
    """Day rows as (day, kind, status, in, out, worked, late, early, overtime, code)."""
    return [
        (
            row.day.isoformat(),
            row.kind.value,
            row.status.value,
            hhmm(row.first_in),
            hhmm(row.last_out),
            row.worked_minutes,
            row.late_minutes,
            row.early_leave_minutes,
            row.overtime_minutes,
            day_code(
                DayFigures(
                    row.status.value,
                    row.kind.value,
                    row.leave_type.value if row.leave_type else None,
                    row.worked_minutes,
                    row.late_minutes,
                    row.early_leave_minutes,
                    row.overtime_minutes,
                    row.missing_checkout,
                )
            ),
        )
        for row in rows
    ]


@pytest.fixture
def office(session: Session) -> Office:
    unit = create_unit(session, kind=UnitKind.AGENCY, code="SNV-ATT", name="Sở Nội vụ")
    schedule = create_schedule(
        session,
        code="office",
        name="Giờ hành chính",
        periods=OFFICE,
        rules=ScheduleRules(),
        actor="user:admin",
        now=vn(2020, 1, 1),
    )
    assign_unit_schedule(session, unit, schedule, actor="user:admin", now=vn(2020, 1, 1))
    reader = make_reader(session, unit)
    staff = [
        make_holder(session, unit, "Nguyễn Văn An", "NV001"),
        make_holder(session, unit, "Lê Thị Hoa", "NV002"),
    ]
    return Office(session, unit, reader, staff)
