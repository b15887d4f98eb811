"""The holiday calendar: Vietnam's public holidays (lunar dates resolved per year) and
the local days off and working days administrators add on top."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from admin_ui import units
from admin_ui.console import ConsoleState
from admin_ui.errors import FormRejected
from admin_ui.formatting import local_today
from admin_ui.forms import domain_error, field_errors, text
from admin_ui.i18n import N_, gettext_for
from admin_ui.permissions import ATTENDANCE_READ, CALENDAR_EDIT
from admin_ui.security.context import PostedForm, Viewer, acting, allowed
from card_service.attendance import overrides
from card_service.attendance.access import unit_in_scope
from card_service.attendance.calendar import CalendarEntry
from card_service.attendance.schemas import OverrideIn
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.errors import CardServiceError

router = APIRouter(prefix="/calendar")
Reader = Annotated[Viewer, Depends(allowed(ATTENDANCE_READ))]
Editor = Annotated[Viewer, Depends(acting(CALENDAR_EDIT))]
FIELDS = ("day", "kind", "name", "unit_id")


def _page(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Viewer,
    year: int,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    return console.renderer.page(
        request,
        "calendar.html",
        {
            "section": "calendar",
            "year": year,
            "days": overrides.year_calendar(session, year),
            "units": units.choices(session, viewer.principal, CALENDAR_EDIT),
            "unit_names": units.names(session, viewer.principal),
            "values": values,
            "errors": errors,
        },
    )


@router.get("")
def calendar_page(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Reader,
    year: int | None = None,
) -> Response:
    shown = year if year is not None and 2000 <= year <= 2100 else local_today(now).year  # noqa: PLR2004
    values = dict.fromkeys(FIELDS, "") | {"kind": "holiday"}
    return _page(request, console, session, viewer, shown, values, {})


@router.post("")
def set_day(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Editor,
    form: PostedForm,
) -> Response:
    values = {name: text(form, name) for name in FIELDS}
    gettext = gettext_for(request)
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat(values["day"])
    except ValueError:
        errors["day"] = gettext.gettext(N_("Enter a date as day/month/year."))
        day = local_today(now)
    try:
        body = OverrideIn.model_validate(
            {"kind": values["kind"], "name": values["name"], "unit_id": values["unit_id"] or None}
        )
    except ValidationError as exc:
        errors = {**field_errors(exc, gettext), **errors}
    if errors:
        page = _page(request, console, session, viewer, day.year, values, errors)
        raise FormRejected(page)
    try:
        unit = (
            unit_in_scope(session, viewer.principal, body.unit_id, CALENDAR_EDIT)
            if body.unit_id is not None
            else None
        )
        overrides.set_override(
            session,
            day=day,
            entry=CalendarEntry(body.kind, body.name, body.follows_weekday),
            unit=unit,
            actor=viewer.principal.actor,
            now=now,
        )
    except CardServiceError as exc:
        page = _page(
            request, console, session, viewer, day.year, values, domain_error(exc, gettext)
        )
        raise FormRejected(page) from exc
    return RedirectResponse(f"/admin/calendar?year={day.year}&notice=saved", status_code=303)


@router.post("/overrides/{override_id}/delete")
def remove(
    override_id: uuid.UUID, session: DbSession, now: Now, viewer: Editor, form: PostedForm
) -> Response:
    overrides.remove_override(session, override_id, actor=viewer.principal.actor, now=now)
    year = text(form, "year")
    return RedirectResponse(f"/admin/calendar?year={year}&notice=deleted", status_code=303)
