"""Service centre statistics: visits per counter, service, hour and day, with charts
(count, median and 90th-percentile service time)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from admin_ui import units
from admin_ui.charts import Bar, bar_chart
from admin_ui.console import ConsoleState
from admin_ui.formatting import date_text, local_today
from admin_ui.i18n import N_, gettext_for, locale_of
from admin_ui.permissions import STATS_READ
from admin_ui.security.context import Viewer, allowed
from card_service.attendance.access import unit_in_scope
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.errors import CardServiceError
from card_service.service_usage import statistics

router = APIRouter(prefix="/service-centres")
Reader = Annotated[Viewer, Depends(allowed(STATS_READ))]
DEFAULT_DAYS = 30
DIMENSIONS = (
    (statistics.Dimension.COUNTER, N_("Visits per counter")),
    (statistics.Dimension.SERVICE, N_("Visits per service")),
    (statistics.Dimension.HOUR, N_("Visits per hour of the day")),
    (statistics.Dimension.DAY, N_("Visits per day")),
)


def _date(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@router.get("")
def statistics_page(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Reader,
    centre_id: str = "",
    first: str = "",
    last: str = "",
) -> Response:
    today = local_today(now)
    last_day = _date(last, today)
    first_day = _date(first, last_day - timedelta(days=DEFAULT_DAYS - 1))
    centres = [
        unit
        for unit in units.choices(session, viewer.principal, STATS_READ)
        if unit.kind == "service_centre"
    ]
    chosen = next((c for c in centres if str(c.id) == centre_id), centres[0] if centres else None)
    context: dict[str, Any] = {
        "section": "centres",
        "centres": centres,
        "chosen": chosen,
        "first": first_day,
        "last": last_day,
        "sections": [],
        "error": None,
    }
    if chosen is not None:
        try:
            context["sections"] = _sections(
                request, session, viewer, chosen.id, first_day, last_day
            )
        except CardServiceError as exc:
            context["error"] = exc.code
    return console.renderer.page(request, "centres.html", context)


def _sections(
    request: Request,
    session: DbSession,
    viewer: Viewer,
    centre_id: uuid.UUID,
    first: date,
    last: date,
) -> list[dict[str, Any]]:
    centre = unit_in_scope(session, viewer.principal, centre_id, STATS_READ)
    visits = statistics.visits(session, [centre.id], first, last)
    gettext = gettext_for(request).gettext
    locale = locale_of(request)
    sections = []
    for dimension, title in DIMENSIONS:
        rows = statistics.summarise(visits, [dimension])
        keys = [row.key[dimension.value] for row in rows]
        names = [_key_text(dimension, key, locale) for key in keys]
        # A month of days under one chart: the bars say day/month only.
        bar_names = [f"{key[8:10]}/{key[5:7]}" for key in keys] if dimension == "day" else names
        bars = [Bar(name, (row.count,)) for name, row in zip(bar_names, rows, strict=True)]
        sections.append(
            {
                "title": title,
                "rows": list(zip(names, rows, strict=True)),
                "dimension": dimension.value,
                "chart": bar_chart(bars, title=gettext(title)) if rows else None,
            }
        )
    return sections


def _key_text(dimension: statistics.Dimension, key: str, locale: str) -> str:
    """A group's key as people read it: days as dates, hours as "08h"; counters and
    services by their codes, as the counters display them."""
    if dimension is statistics.Dimension.DAY:
        return date_text(date.fromisoformat(key), locale)
    if dimension is statistics.Dimension.HOUR:
        return f"{key}h"
    return key
