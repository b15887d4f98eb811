"""Showing times, dates and numbers the way people in Huế read them.

Everything is stored in UTC and shown in Asia/Ho_Chi_Minh. Vietnamese uses day/month/year
and a 24-hour clock; numbers group thousands with a dot (Babel's CLDR data).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_DATETIME_PATTERNS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}
_DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
_SECONDS_PER_MINUTE = 60


def local_time(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def local_today(now: datetime) -> date:
    return local_time(now).date()


def datetime_text(moment: datetime | None, locale: str) -> str:
    if moment is None:
        return "—"
    return format_datetime(
        moment,
        _DATETIME_PATTERNS.get(locale, _DATETIME_PATTERNS["vi"]),
        tzinfo=LOCAL_TZ,
        locale=locale,
    )


def time_text(moment: datetime | None) -> str:
    return "—" if moment is None else local_time(moment).strftime("%H:%M")


def date_text(day: date | None, locale: str) -> str:
    if day is None:
        return "—"
    return format_date(day, _DATE_PATTERNS.get(locale, _DATE_PATTERNS["vi"]), locale=locale)


def weekday_short(day: date, locale: str) -> str:
    """The weekday in two letters or so: "T2".."CN" in Vietnamese, "Mo".."Su" in English."""
    return format_date(day, "EEEEEE", locale=locale)


def number_text(value: float, locale: str) -> str:
    return format_decimal(value, locale=locale)


def minutes_text(seconds: float) -> str:
    """A duration as m:ss (counter service times are minutes long)."""
    whole = round(seconds)
    return f"{whole // _SECONDS_PER_MINUTE}:{whole % _SECONDS_PER_MINUTE:02d}"


def duration_text(delta: timedelta | None, locale: str) -> str:
    """A rough age such as "3 giờ" / "3 hours" (Babel rounds to the largest unit)."""
    if delta is None:
        return "—"
    return format_timedelta(delta, locale=locale)
