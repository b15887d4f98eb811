"""The vocabulary of attendance, shared by the pure computation, the tables and the API."""

from __future__ import annotations

import enum


class DayKind(enum.StrEnum):
    """What the calendar says a day is for one holder."""

    WORKDAY = "workday"
    REST_DAY = "rest_day"  # no scheduled period on this weekday (weekend for office hours)
    HOLIDAY = "holiday"  # public holiday or a local day off
    COMPENSATORY_WORKDAY = "compensatory_workday"  # a rest day worked in exchange for a day off


class DayStatus(enum.StrEnum):
    PRESENT = "present"
    INCOMPLETE = "incomplete"  # a check-in without a check-out, or the other way round
    ABSENT = "absent"  # an expected workday with no tap and no leave
    LEAVE = "leave"
    OFF = "off"  # a rest day or holiday without work


class LeaveType(enum.StrEnum):
    ANNUAL = "annual"  # nghỉ phép năm
    SICK = "sick"  # nghỉ ốm
    MATERNITY = "maternity"  # thai sản
    BUSINESS_TRIP = "business_trip"  # công tác
    UNPAID = "unpaid"  # nghỉ không lương
    OTHER = "other"  # nghỉ việc riêng có lương, ...


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


class OverrideKind(enum.StrEnum):
    """A local calendar entry on top of the national holidays."""

    HOLIDAY = "holiday"  # a day off (provincial holiday, extra Tết day, ...)
    WORKDAY = "workday"  # a working day (compensatory Saturday, a cancelled day off)


class CorrectionState(enum.StrEnum):
    PENDING = "pending"  # waiting for a second person
    APPROVED = "approved"  # in force
    REJECTED = "rejected"
