"""Service centre statistics: visits per counter, service, document check, legal basis,
hour and day, with charts (count, distinct citizens, repeat visits, median and
90th-percentile service time)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from babel.support import Translations
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from admin_ui import units
from admin_ui.charts import Bar, bar_chart
from admin_ui.console import ConsoleState
from admin_ui.formatting import date_text, local_today
from admin_ui.i18n import N_, gettext_for, locale_of
from admin_ui.labels import label
from admin_ui.permissions import STATS_READ
from admin_ui.security.context import Viewer, allowed
from card_service.attendance.access import unit_in_scope
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.errors import CardServiceError
from card_service.service_usage import catalogue, statistics

router = APIRouter(prefix="/service-centres")
Reader = Annotated[Viewer, Depends(allowed(STATS_READ))]
DEFAULT_DAYS = 30
Dimension = statistics.Dimension
DIMENSIONS = (
    (Dimension.COUNTER, N_("Visits per counter")),
    (Dimension.SERVICE, N_("Visits per service")),
    (Dimension.VERIFICATION, N_("Visits by how the citizen's document was checked")),
    (Dimension.LEGAL_BASIS, N_("Visits by legal basis")),
    (Dimension.HOUR, N_("Visits per hour of the day")),
    (Dimension.DAY, N_("Visits per day")),
)
# Groups whose keys are service codes the console has words for (admin_ui/labels.py).
_LABELLED = {Dimension.VERIFICATION: "verification", Dimension.LEGAL_BASIS: "legal_basis"}


@dataclass(frozen=True)
class Group:
    """One row of a section: what people read, and the code beside it (counters and
    services, whose codes are what the counters display), or None."""

    name: str
    code: str | None
    row: statistics.StatRow


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
        # Only centres in the list: no tree indentation, no code after a long name.
        "centre_options": [(str(c.id), c.name) for c in centres],
        "chosen": chosen,
        "first": first_day,
        "last": last_day,
        "total": None,
        "sections": [],
        "error": None,
    }
    if chosen is not None:
        try:
            visits = _visits(session, viewer, chosen.id, first_day, last_day)
        except CardServiceError as exc:
            context["error"] = exc.code
        else:
            totals = statistics.summarise(visits, [])
            context["total"] = totals[0] if totals else None
            context["sections"] = _sections(request, session, viewer, visits) if visits else []
    return console.renderer.page(request, "centres.html", context)


def _visits(
    session: DbSession, viewer: Viewer, centre_id: uuid.UUID, first: date, last: date
) -> list[statistics.Visit]:
    centre = unit_in_scope(session, viewer.principal, centre_id, STATS_READ)
    return statistics.visits(session, [centre.id], first, last)


def _sections(
    request: Request, session: DbSession, viewer: Viewer, visits: list[statistics.Visit]
) -> list[dict[str, Any]]:
    translations = gettext_for(request)
    locale = locale_of(request)
    names = {
        Dimension.COUNTER: {u.code: u.name for u in units.visible_units(session, viewer.principal)},
        Dimension.SERVICE: {s.code: s.name for s in catalogue.catalogue(session)},
    }
    sections = []
    for dimension, title in DIMENSIONS:
        rows = statistics.summarise(visits, [dimension])
        groups = [
            _group(dimension, row, names.get(dimension, {}), translations, locale) for row in rows
        ]
        # A month of days under one chart: the bars say day/month only.
        bar_names = (
            [f"{row.key['day'][8:10]}/{row.key['day'][5:7]}" for row in rows]
            if dimension is Dimension.DAY
            else [group.name for group in groups]
        )
        bars = [Bar(name, (row.count,)) for name, row in zip(bar_names, rows, strict=True)]
        sections.append(
            {
                "title": title,
                "groups": groups,
                "dimension": dimension.value,
                "chart": bar_chart(bars, title=translations.gettext(title)),
            }
        )
    return sections


def _group(
    dimension: Dimension,
    row: statistics.StatRow,
    names: dict[str, str],
    translations: Translations,
    locale: str,
) -> Group:
    """A group's key as people read it: counters and services by name (their code
    beside it; the code alone if the name is unknown), document checks and legal bases
    in words, days as dates, hours as "08h"."""
    key = row.key[dimension.value]
    if dimension in (Dimension.COUNTER, Dimension.SERVICE):
        name = names.get(key)
        return Group(name, key, row) if name else Group(key, None, row)
    if dimension in _LABELLED:
        return Group(translations.gettext(label(_LABELLED[dimension], key)), None, row)
    if dimension is Dimension.DAY:
        return Group(date_text(date.fromisoformat(key), locale), None, row)
    return Group(f"{key}h", None, row)
