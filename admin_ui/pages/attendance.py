"""Attendance for HR: a unit's monthly timesheet, a person's days, corrections with a
reason (and their approval), and CSV/XLSX exports run as background jobs."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from admin_ui import units
from admin_ui.console import ConsoleState
from admin_ui.errors import FormRejected
from admin_ui.formatting import LOCAL_TZ, local_today
from admin_ui.forms import domain_error, field_errors, text
from admin_ui.i18n import N_, Msg, gettext_for
from admin_ui.jobs import JobResult, Progress
from admin_ui.labels import timesheet_legend
from admin_ui.permissions import ATTENDANCE_READ, ATTENDANCE_WRITE
from admin_ui.security.context import PostedForm, Viewer, acting, allowed
from card_service.attendance import corrections, export
from card_service.attendance.access import holder_in_scope, unit_in_scope
from card_service.attendance.detail import person_days
from card_service.attendance.schemas import CorrectionIn
from card_service.attendance.timesheet import month_days, monthly_timesheet
from card_service.auth.principal import active_principal
from card_service.clock import Now
from card_service.db.engine import Database
from card_service.db.session import DbSession
from card_service.errors import CardServiceError, NotFoundError

router = APIRouter(prefix="/attendance")
Reader = Annotated[Viewer, Depends(allowed(ATTENDANCE_READ))]
WriterPage = Annotated[Viewer, Depends(allowed(ATTENDANCE_WRITE))]
Writer = Annotated[Viewer, Depends(acting(ATTENDANCE_WRITE))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}
_FIRST_YEAR, _LAST_YEAR = 2000, 2100
_DECEMBER = 12


def _month(year: int | None, month: int | None, now: datetime) -> tuple[int, int]:
    today = local_today(now)
    year = year if year is not None and _FIRST_YEAR <= year <= _LAST_YEAR else today.year
    month = month if month is not None and 1 <= month <= _DECEMBER else today.month
    return year, month


def _neighbours(year: int, month: int) -> dict[str, tuple[int, int]]:
    previous = (year - 1, _DECEMBER) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == _DECEMBER else (year, month + 1)
    return {"previous": previous, "next": following}


@router.get("")
def choose(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Reader,
    unit_id: str = "",
    year: int | None = None,
    month: int | None = None,
) -> Response:
    year, month = _month(year, month, now)
    if unit_id:
        return RedirectResponse(
            f"/admin/attendance/units/{unit_id}?year={year}&month={month}", status_code=303
        )
    return console.renderer.page(
        request,
        "attendance/choose.html",
        {
            "section": "attendance",
            "units": units.choices(session, viewer.principal, ATTENDANCE_READ),
            "year": year,
            "month": month,
        },
    )


@router.get("/units/{unit_id}")
def timesheet(
    unit_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Reader,
    year: int | None = None,
    month: int | None = None,
) -> Response:
    year, month = _month(year, month, now)
    unit = unit_in_scope(session, viewer.principal, unit_id, ATTENDANCE_READ)
    sheet = monthly_timesheet(session, unit, year, month, now=now)
    return console.renderer.page(
        request,
        "attendance/timesheet.html",
        {
            "section": "attendance",
            "sheet": sheet,
            "legend": timesheet_legend(),
            "neighbours": _neighbours(year, month),
        },
    )


@router.post("/units/{unit_id}/export")
def export_timesheet(
    unit_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Annotated[Viewer, Depends(acting(ATTENDANCE_READ))],
    form: PostedForm,
) -> Response:
    """Exports run off the request: a province-wide month is big, the page never waits."""
    year, month = _month(_int(text(form, "year")), _int(text(form, "month")), now)
    kind = text(form, "format") if text(form, "format") in FORMATS else "xlsx"
    unit_in_scope(session, viewer.principal, unit_id, ATTENDANCE_READ)  # 404 before any job
    database: Database = request.app.state.database
    work = _export_work(
        database, viewer.principal.user_id, unit_id, year, month, kind, request.app.state.clock()
    )
    job = console.jobs.submit(
        owner=viewer.principal.user_id,
        kind="timesheet-export",
        title=Msg(N_("Timesheet export %(month)s/%(year)s"), {"month": month, "year": year}),
        work=work,
    )
    return RedirectResponse(f"/admin/jobs/{job.id}", status_code=303)


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _export_work(
    database: Database,
    user_id: uuid.UUID,
    unit_id: uuid.UUID,
    year: int,
    month: int,
    kind: str,
    now: datetime,
) -> Any:
    def work(progress: Progress) -> JobResult:
        with database.transaction() as session:
            principal = active_principal(session, user_id)
            if principal is None:
                raise NotFoundError("the account is no longer active")
            unit = unit_in_scope(session, principal, unit_id, ATTENDANCE_READ)
            progress.stage(Msg(N_("Computing the month")), total=2)
            sheet = monthly_timesheet(session, unit, year, month, now=now)
            progress.advance(1)
            progress.stage(Msg(N_("Writing the file")), total=2)
            table = export.timesheet_table(sheet)
            content = (
                export.to_xlsx(table, title=f"{month:02d}-{year}")
                if kind == "xlsx"
                else export.to_csv(table)
            )
            progress.advance(2)
        return JobResult(
            summary=Msg(N_("%(rows)s people."), {"rows": len(sheet.rows)}),
            filename=export.export_name(sheet, kind),
            media_type=FORMATS[kind],
            content=content,
        )

    return work


@router.get("/holders/{holder_id}")
def person(
    holder_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Reader,
    year: int | None = None,
    month: int | None = None,
) -> Response:
    year, month = _month(year, month, now)
    return console.renderer.page(
        request,
        "attendance/person.html",
        _person_context(session, viewer, holder_id, year, month, now),
    )


def _person_context(
    session: Session, viewer: Viewer, holder_id: uuid.UUID, year: int, month: int, now: datetime
) -> dict[str, Any]:
    holder = holder_in_scope(session, viewer.principal, holder_id, ATTENDANCE_READ)
    days = month_days(year, month)
    result = person_days(session, holder, days[0], days[-1], now=now)
    return {
        "section": "attendance",
        "holder": holder,
        "days": result.days,
        "corrections": result.corrections,
        "year": year,
        "month": month,
        "neighbours": _neighbours(year, month),
        "today": local_today(now),
        "actor": viewer.principal.actor,
    }


def _correction_page(
    request: Request,
    console: ConsoleState,
    holder: Any,
    day: date,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    return console.renderer.page(
        request,
        "attendance/correct.html",
        {
            "section": "attendance",
            "holder": holder,
            "day": day,
            "values": values,
            "errors": errors,
        },
    )


@router.get("/holders/{holder_id}/days/{day}/correct")
def correction_form(
    holder_id: uuid.UUID,
    day: date,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: WriterPage,
) -> Response:
    holder = holder_in_scope(session, viewer.principal, holder_id, ATTENDANCE_WRITE)
    values = {"first_in": "", "last_out": "", "reason": "", "out_next_day": ""}
    return _correction_page(request, console, holder, day, values, {})


def _local_time(value: str, day: date) -> datetime | None:
    """'08:05' on ``day`` in Huế, as UTC; ValueError for anything else."""
    if not value:
        return None
    parsed = time.fromisoformat(value)
    return datetime.combine(day, parsed.replace(second=0, microsecond=0), LOCAL_TZ).astimezone(UTC)


@router.post("/holders/{holder_id}/days/{day}/correct")
def correct(
    holder_id: uuid.UUID,
    day: date,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Writer,
    form: PostedForm,
) -> Response:
    holder = holder_in_scope(session, viewer.principal, holder_id, ATTENDANCE_WRITE)
    gettext = gettext_for(request).gettext
    values = {name: text(form, name) for name in ("first_in", "last_out", "reason", "out_next_day")}
    errors: dict[str, str] = {}
    times: dict[str, datetime | None] = {}
    for name in ("first_in", "last_out"):
        try:
            times[name] = _local_time(values[name], day)
        except ValueError:
            errors[name] = gettext(N_("Enter a time as hh:mm."))
    checked_out = times.get("last_out")
    if values["out_next_day"] and checked_out is not None:
        times["last_out"] = checked_out + timedelta(days=1)
    if not errors and times["first_in"] is None and times["last_out"] is None:
        errors["first_in"] = gettext(N_("Give a check-in time, a check-out time or both."))
    first, last = times.get("first_in"), times.get("last_out")
    if not errors and first is not None and last is not None and last <= first:
        errors["last_out"] = gettext(N_("The check-out must come after the check-in."))
    try:
        body = CorrectionIn.model_validate(
            {"holder_id": holder.id, "day": day, "reason": values["reason"], **times}
        )
    except ValidationError as exc:
        errors = {**field_errors(exc, gettext_for(request)), **errors}
    if errors:
        raise FormRejected(_correction_page(request, console, holder, day, values, errors))
    try:
        corrections.request_correction(
            session,
            holder=holder,
            day=body.day,
            first_in=body.first_in,
            last_out=body.last_out,
            reason=body.reason,
            actor=viewer.principal.actor,
            now=now,
        )
    except CardServiceError as exc:
        raise FormRejected(
            _correction_page(
                request, console, holder, day, values, domain_error(exc, gettext_for(request))
            )
        ) from exc
    return RedirectResponse(
        f"/admin/attendance/holders/{holder.id}?year={day.year}&month={day.month}&notice=corrected",
        status_code=303,
    )


@router.post("/corrections/{correction_id}/{decision}")
def decide(
    correction_id: uuid.UUID,
    decision: str,
    request: Request,
    session: DbSession,
    now: Now,
    viewer: Writer,
) -> Response:
    correction = corrections.get_correction(session, correction_id)
    holder_in_scope(session, viewer.principal, correction.holder_id, ATTENDANCE_WRITE)
    if decision not in {"approve", "reject"}:
        raise NotFoundError("no such decision")
    corrections.decide_correction(
        session,
        correction_id,
        approve=decision == "approve",
        actor=viewer.principal.actor,
        now=now,
    )
    day = correction.day
    return RedirectResponse(
        f"/admin/attendance/holders/{correction.holder_id}?year={day.year}&month={day.month}"
        "&notice=saved",
        status_code=303,
    )
