"""``/api/v1/attendance``: timesheets, a person's days, corrections and leave."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from card_service.attendance import corrections, export, leave
from card_service.attendance.access import (
    READ_ROLES,
    WRITE_ROLES,
    holder_in_scope,
    unit_in_scope,
)
from card_service.attendance.calendar_routes import router as calendar_router
from card_service.attendance.detail import person_days
from card_service.attendance.kinds import LeaveType
from card_service.attendance.person_routes import router as person_export_router
from card_service.attendance.schemas import (
    CorrectionIn,
    CorrectionOut,
    DayOut,
    LeaveIn,
    LeaveOut,
    PersonMonthOut,
    TimesheetOut,
    TimesheetRowOut,
)
from card_service.attendance.timesheet import LEGEND, Timesheet, month_days, monthly_timesheet
from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.pagination import Page, Paging
from card_service.problems import Problem

router = APIRouter(prefix="/attendance", tags=["attendance"])
router.include_router(calendar_router)
router.include_router(person_export_router)
ReaderRole = Annotated[Principal, Depends(requires(*READ_ROLES))]
WriterRole = Annotated[Principal, Depends(requires(*WRITE_ROLES))]
Year = Annotated[int, Query(ge=2000, le=2100)]
Month = Annotated[int, Query(ge=1, le=12)]
NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": Problem}}
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_SCHEMA = {"schema": {"type": "string", "format": "binary"}}


def _timesheet(
    session: DbSession, principal: Principal, unit_id: uuid.UUID, year: int, month: int, now: Now
) -> Timesheet:
    unit = unit_in_scope(session, principal, unit_id, READ_ROLES)
    return monthly_timesheet(session, unit, year, month, now=now)


@router.get("/units/{unit_id}/timesheet", response_model=TimesheetOut, responses=NOT_FOUND)
def get_timesheet(
    unit_id: uuid.UUID,
    year: Year,
    month: Month,
    principal: ReaderRole,
    session: DbSession,
    now: Now,
) -> TimesheetOut:
    sheet = _timesheet(session, principal, unit_id, year, month, now)
    return TimesheetOut(
        unit_id=sheet.unit_id,
        unit_name=sheet.unit_name,
        year=sheet.year,
        month=sheet.month,
        days=list(sheet.days),
        legend=LEGEND,
        rows=[TimesheetRowOut.model_validate(row) for row in sheet.rows],
    )


@router.get(
    "/units/{unit_id}/timesheet.csv",
    response_class=Response,
    responses={200: {"content": {CSV_MEDIA_TYPE: FILE_SCHEMA}}, **NOT_FOUND},
)
def export_timesheet_csv(
    unit_id: uuid.UUID,
    year: Year,
    month: Month,
    principal: ReaderRole,
    session: DbSession,
    now: Now,
) -> Response:
    sheet = _timesheet(session, principal, unit_id, year, month, now)
    return _download(export.to_csv(export.timesheet_table(sheet)), sheet, "csv", CSV_MEDIA_TYPE)


@router.get(
    "/units/{unit_id}/timesheet.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: FILE_SCHEMA}}, **NOT_FOUND},
)
def export_timesheet_xlsx(
    unit_id: uuid.UUID,
    year: Year,
    month: Month,
    principal: ReaderRole,
    session: DbSession,
    now: Now,
) -> Response:
    sheet = _timesheet(session, principal, unit_id, year, month, now)
    body = export.to_xlsx(export.timesheet_table(sheet), title=f"{month:02d}-{year}")
    return _download(body, sheet, "xlsx", XLSX_MEDIA_TYPE)


def _download(body: bytes, sheet: Timesheet, extension: str, media_type: str) -> Response:
    name = export.export_name(sheet, extension)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content=body, media_type=media_type, headers=headers)


@router.get("/holders/{holder_id}/days", response_model=PersonMonthOut, responses=NOT_FOUND)
def get_person_month(
    holder_id: uuid.UUID,
    year: Year,
    month: Month,
    principal: ReaderRole,
    session: DbSession,
    now: Now,
) -> PersonMonthOut:
    holder = holder_in_scope(session, principal, holder_id, READ_ROLES)
    days = month_days(year, month)
    result = person_days(session, holder, days[0], days[-1], now=now)
    return PersonMonthOut(
        holder_id=holder.id,
        full_name=holder.full_name,
        year=year,
        month=month,
        days=[DayOut.model_validate(day) for day in result.days],
        corrections=[CorrectionOut.model_validate(c) for c in result.corrections],
    )


@router.post(
    "/corrections",
    response_model=CorrectionOut,
    status_code=201,
    responses={409: {"model": Problem}, **NOT_FOUND},
)
def request_correction(
    body: CorrectionIn, principal: WriterRole, session: DbSession, now: Now
) -> CorrectionOut:
    holder = holder_in_scope(session, principal, body.holder_id, WRITE_ROLES)
    correction = corrections.request_correction(
        session,
        holder=holder,
        day=body.day,
        first_in=body.first_in,
        last_out=body.last_out,
        reason=body.reason,
        actor=principal.actor,
        now=now,
    )
    return CorrectionOut.model_validate(correction)


def _decide(
    correction_id: uuid.UUID, principal: Principal, session: DbSession, now: Now, *, approve: bool
) -> CorrectionOut:
    correction = corrections.get_correction(session, correction_id)
    holder_in_scope(session, principal, correction.holder_id, WRITE_ROLES)
    decided = corrections.decide_correction(
        session, correction_id, approve=approve, actor=principal.actor, now=now
    )
    return CorrectionOut.model_validate(decided)


@router.post(
    "/corrections/{correction_id}/approve",
    response_model=CorrectionOut,
    responses={409: {"model": Problem}, **NOT_FOUND},
)
def approve_correction(
    correction_id: uuid.UUID, principal: WriterRole, session: DbSession, now: Now
) -> CorrectionOut:
    return _decide(correction_id, principal, session, now, approve=True)


@router.post(
    "/corrections/{correction_id}/reject",
    response_model=CorrectionOut,
    responses={409: {"model": Problem}, **NOT_FOUND},
)
def reject_correction(
    correction_id: uuid.UUID, principal: WriterRole, session: DbSession, now: Now
) -> CorrectionOut:
    return _decide(correction_id, principal, session, now, approve=False)


@router.post("/leave", response_model=LeaveOut, status_code=201, responses=NOT_FOUND)
def add_leave(body: LeaveIn, principal: WriterRole, session: DbSession, now: Now) -> LeaveOut:
    holder = holder_in_scope(session, principal, body.holder_id, WRITE_ROLES)
    record = leave.add_leave(
        session,
        holder=holder,
        leave_type=body.leave_type,
        first_day=body.first_day,
        last_day=body.last_day,
        note=body.note,
        actor=principal.actor,
        now=now,
    )
    return LeaveOut.model_validate(record)


@router.get("/holders/{holder_id}/leave", response_model=Page[LeaveOut], responses=NOT_FOUND)
def list_leave(
    holder_id: uuid.UUID,
    year: Year,
    principal: ReaderRole,
    session: DbSession,
    paging: Paging,
    leave_type: LeaveType | None = None,
) -> Page[LeaveOut]:
    holder = holder_in_scope(session, principal, holder_id, READ_ROLES)
    first, last = month_days(year, 1)[0], month_days(year, 12)[-1]
    items, total = leave.leave_of(session, holder.id, first, last, paging, leave_type=leave_type)
    return Page[LeaveOut](
        items=[LeaveOut.model_validate(r) for r in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.delete("/leave/{leave_id}", status_code=204, responses=NOT_FOUND)
def remove_leave(leave_id: uuid.UUID, principal: WriterRole, session: DbSession, now: Now) -> None:
    record = leave.get_leave(session, leave_id)
    holder_in_scope(session, principal, record.holder_id, WRITE_ROLES)
    leave.remove_leave(session, leave_id, actor=principal.actor, now=now)
