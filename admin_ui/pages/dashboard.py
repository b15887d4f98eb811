"""The dashboard: taps today, readers online and offline, stale revocation lists,
denied-tap spikes. Each part is shown only to the roles that may read its data."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from admin_ui.charts import Bar, bar_chart
from admin_ui.console import ConsoleState
from admin_ui.figures import CrlFacts, held_lists, reader_health
from admin_ui.formatting import LOCAL_TZ, local_time, local_today
from admin_ui.i18n import gettext_for
from admin_ui.security.context import CurrentViewer, Viewer
from card_service.access.context import AccessContext
from card_service.auth.principal import Principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.events.reads import denied_spikes
from card_service.pagination import MAX_PAGE_SIZE, PageParams
from card_service.pki.revocations import crl_this_updates
from card_service.readers import service as readers
from card_service.trust.service import crl_numbers

router = APIRouter()


def all_readers(session: Session, principal: Principal) -> list[Any]:
    """Every reader in the principal's units, page by page."""
    found: list[Any] = []
    while True:
        page, total = readers.list_readers(
            session, principal, PageParams(limit=MAX_PAGE_SIZE, offset=len(found)), state=None
        )
        found += page
        if not page or len(found) >= total:
            return found


def crl_facts(request: Request, session: Session, readers_shown: list[Any]) -> CrlFacts:
    """The newest lists, when each list these readers hold was signed, and the age past
    which a reader fails closed (the setting every reader is configured with)."""
    access: AccessContext = request.app.state.access
    wanted = {pair for reader in readers_shown for pair in held_lists(reader)}
    return CrlFacts(
        newest=crl_numbers(session),
        signed_at=crl_this_updates(session, wanted),
        max_age=timedelta(seconds=access.max_crl_age_seconds),
    )


@router.get("/")
def dashboard(
    request: Request, console: ConsoleState, session: DbSession, now: Now, viewer: CurrentViewer
) -> Response:
    context: dict[str, Any] = {"section": "dashboard", "readers": None, "taps": None}
    if viewer.can.readers_read:
        context["readers"] = _reader_figures(request, session, viewer, now)
    if viewer.can.events_read:
        context["taps"] = _tap_figures(request, console, session, viewer, now)
    return console.renderer.page(request, "dashboard.html", context)


def _reader_figures(
    request: Request, session: Session, viewer: Viewer, now: datetime
) -> dict[str, Any]:
    found = all_readers(session, viewer.principal)
    crl = crl_facts(request, session, found)
    rows = [(r, reader_health(r, crl, now)) for r in found]
    active = [(r, h) for r, h in rows if r.state.value == "active"]
    return {
        "online": sum(1 for _, h in active if h.online),
        "offline": [(r, h) for r, h in active if not h.online],
        "stale": [(r, h) for r, h in active if h.stale_crl],
        "pending": sum(1 for r, _ in rows if r.state.value == "pending"),
        "total": len(active),
    }


def _tap_figures(
    request: Request, console: ConsoleState, session: Session, viewer: Viewer, now: datetime
) -> dict[str, Any]:
    start = datetime.combine(local_today(now), time(0), tzinfo=LOCAL_TZ)
    # Up to the end of the current hour: its bar grows as the hour goes on.
    end = start + timedelta(hours=local_time(now).hour + 1)
    hours = console.taps.hourly(session, viewer.principal, start=start, end=end)
    gettext = gettext_for(request).gettext
    chart = bar_chart(
        [Bar(f"{local_time(h.hour).hour:02d}h", (h.granted, h.denied)) for h in hours],
        title=gettext("Taps per hour today: granted and denied"),
        series=("granted", "denied"),
    )
    return {
        "granted": sum(h.granted for h in hours),
        "denied": sum(h.denied for h in hours),
        "spikes": denied_spikes(hours),
        "chart": chart,
    }
