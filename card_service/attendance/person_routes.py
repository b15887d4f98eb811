"""``/api/v1/attendance/holders/{id}/days.csv`` and ``.xlsx``: a person's month as a
file, the same rows as ``GET .../days`` (docs/attendance.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from card_service.attendance import export
from card_service.attendance.access import READ_ROLES, holder_in_scope
from card_service.attendance.detail import PersonDays, person_days
from card_service.attendance.timesheet import month_days
from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.problems import Problem

router = APIRouter()
ReaderRole = Annotated[Principal, Depends(requires(*READ_ROLES))]
Year = Annotated[int, Query(ge=2000, le=2100)]
Month = Annotated[int, Query(ge=1, le=12)]
NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": Problem}}
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_SCHEMA = {"schema": {"type": "string", "format": "binary"}}


def _person_month(
    session: DbSession,
    principal: Principal,
    holder_id: uuid.UUID,
    *,
    year: int,
    month: int,
    now: Now,
) -> PersonDays:
    holder = holder_in_scope(session, principal, holder_id, READ_ROLES)
    days = month_days(year, month)
    return person_days(session, holder, days[0], days[-1], now=now)


@router.get(
    "/holders/{holder_id}/days.csv",
    response_class=Response,
    responses={200: {"content": {CSV_MEDIA_TYPE: FILE_SCHEMA}}, **NOT_FOUND},
)
def export_person_month_csv(
    holder_id: uuid.UUID,
    year: Year,
    month: Month,
    *,
    principal: ReaderRole,
    session: DbSession,
    now: Now,
) -> Response:
    person = _person_month(session, principal, holder_id, year=year, month=month, now=now)
    body = export.to_csv(export.person_table(person))
    return _download(body, export.person_export_name(person, year, month, "csv"), CSV_MEDIA_TYPE)


@router.get(
    "/holders/{holder_id}/days.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: FILE_SCHEMA}}, **NOT_FOUND},
)
def export_person_month_xlsx(
    holder_id: uuid.UUID,
    year: Year,
    month: Month,
    *,
    principal: ReaderRole,
    session: DbSession,
    now: Now,
) -> Response:
    person = _person_month(session, principal, holder_id, year=year, month=month, now=now)
    body = export.to_xlsx(export.person_table(person), title=f"{month:02d}-{year}")
    name = export.person_export_name(person, year, month, "xlsx")
    return _download(body, name, XLSX_MEDIA_TYPE)


def _download(body: bytes, name: str, media_type: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content=body, media_type=media_type, headers=headers)
