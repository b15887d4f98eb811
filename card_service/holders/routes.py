"""``/api/v1/holders``: parse, call the service, return."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.etags import check_if_match, etag_for
from card_service.holders import bulk_import, service
from card_service.holders.errors import ImportRejectedError
from card_service.holders.import_files import XLSX_MEDIA_TYPE, read_rows
from card_service.holders.models import Holder
from card_service.holders.schemas import HolderCreate, HolderOut, HolderQuery, HolderUpdate
from card_service.pagination import Page, Paging
from card_service.problems import Problem

router = APIRouter(prefix="/holders", tags=["holders"])
Reader = Annotated[Principal, Depends(requires(*service.READ_ROLES))]
Writer = Annotated[Principal, Depends(requires(*service.WRITE_ROLES))]
NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": Problem}}


def _out(holder: Holder, response: Response) -> HolderOut:
    response.headers["ETag"] = etag_for("holder", holder.id, holder.version)
    return HolderOut.model_validate(holder)


@router.get("", response_model=Page[HolderOut])
def list_holders(
    principal: Reader,
    session: DbSession,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=100, description="Name, any case/diacritics")] = None,
    staff_number: Annotated[str | None, Query(max_length=32)] = None,
    unit_id: uuid.UUID | None = None,
    active: bool | None = None,
) -> Page[HolderOut]:
    filters = HolderQuery(q=q, staff_number=staff_number, unit_id=unit_id, active=active)
    items, total = service.list_holders(session, principal, filters, paging)
    return Page[HolderOut](
        items=[HolderOut.model_validate(h) for h in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post(
    "", response_model=HolderOut, status_code=201, responses={409: {"model": Problem}, **NOT_FOUND}
)
def create_holder(
    body: HolderCreate, principal: Writer, session: DbSession, now: Now, response: Response
) -> HolderOut:
    holder = service.create_holder(session, principal, body, now=now)
    response.headers["Location"] = f"/api/v1/holders/{holder.id}"
    return _out(holder, response)


@router.get("/{holder_id}", response_model=HolderOut, responses=NOT_FOUND)
def get_holder(
    holder_id: uuid.UUID, principal: Reader, session: DbSession, response: Response
) -> HolderOut:
    return _out(service.get_holder(session, principal, holder_id), response)


@router.patch(
    "/{holder_id}",
    response_model=HolderOut,
    responses={412: {"model": Problem}, 428: {"model": Problem}, **NOT_FOUND},
)
def update_holder(
    holder_id: uuid.UUID,
    body: HolderUpdate,
    principal: Writer,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> HolderOut:
    holder = service.get_holder(
        session, principal, holder_id, roles=service.WRITE_ROLES, for_update=True
    )
    check_if_match(if_match, etag_for("holder", holder.id, holder.version))
    return _out(service.update_holder(session, principal, holder, body, now=now), response)


@router.post(
    "/{holder_id}/deactivate",
    response_model=HolderOut,
    responses={412: {"model": Problem}, 428: {"model": Problem}, **NOT_FOUND},
)
def deactivate_holder(
    holder_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    now: Now,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> HolderOut:
    holder = service.get_holder(
        session, principal, holder_id, roles=service.WRITE_ROLES, for_update=True
    )
    check_if_match(if_match, etag_for("holder", holder.id, holder.version))
    return _out(service.deactivate_holder(session, principal, holder, now=now), response)


@router.post(
    "/import",
    response_model=bulk_import.ImportReport,
    responses={422: {"model": Problem}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_holders(
    request: Request,
    principal: Writer,
    session: DbSession,
    now: Now,
    dry_run: bool = True,
) -> bulk_import.ImportReport | JSONResponse:
    """Send the file as the request body (Content-Type text/csv or XLSX). With
    ``dry_run=true`` (the default) nothing is saved; otherwise all rows are saved, or
    none when any row has an error (422 with every row's report)."""
    content = await request.body()
    rows = read_rows(content, media_type=request.headers.get("content-type", "text/csv"))
    report = bulk_import.apply_import(session, principal, rows, dry_run=dry_run, now=now)
    if not dry_run and not report.applied:
        raise ImportRejectedError(
            f"{report.counts[bulk_import.RowAction.ERROR]} row(s) have errors",
            report=report.model_dump(mode="json"),
        )
    return report
