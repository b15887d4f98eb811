"""Bulk import of holders from HR's file: a row-by-row preview, then "save all", both as
background jobs with progress (a 20,000-row file never blocks the page)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from admin_ui.console import ConsoleState
from admin_ui.errors import FormRejected
from admin_ui.i18n import N_, Msg, gettext_for
from admin_ui.jobs import JobResult, Progress, Work
from admin_ui.permissions import HOLDERS_WRITE
from admin_ui.security.context import PostedForm, Viewer, acting, allowed
from admin_ui.staging import StagedFile
from card_service.auth.principal import Principal, active_principal
from card_service.db.engine import Database
from card_service.errors import NotFoundError
from card_service.holders import bulk_import
from card_service.holders import service as holders
from card_service.holders.errors import ImportRejectedError
from card_service.holders.import_files import REQUIRED_FIELDS, XLSX_MEDIA_TYPE, read_rows

router = APIRouter(prefix="/holders/import")
WriterPage = Annotated[Viewer, Depends(allowed(HOLDERS_WRITE))]
Writer = Annotated[Viewer, Depends(acting(HOLDERS_WRITE))]
PROGRESS_EVERY = 50  # rows between progress updates while saving


@router.get("")
def upload_form(request: Request, console: ConsoleState, viewer: WriterPage) -> Response:
    return console.renderer.page(
        request,
        "holders/import.html",
        {"section": "holders", "errors": {}, "required": REQUIRED_FIELDS},
    )


@router.post("")
def upload(request: Request, console: ConsoleState, viewer: Writer, form: PostedForm) -> Response:
    upload = form.get("file")
    content = upload.file.read() if isinstance(upload, UploadFile) else b""
    if not content:
        message = gettext_for(request).gettext(N_("Choose a CSV or XLSX file."))
        raise FormRejected(
            console.renderer.page(
                request,
                "holders/import.html",
                {"section": "holders", "errors": {"file": message}, "required": REQUIRED_FIELDS},
            )
        )
    assert isinstance(upload, UploadFile)  # noqa: S101 - content is empty otherwise
    media_type = upload.content_type or "text/csv"
    owner = viewer.principal.user_id
    staged_id = console.staged.put(
        owner=owner, filename=upload.filename or "holders", media_type=media_type, content=content
    )
    staged = console.staged.get(staged_id, owner)
    assert staged is not None  # noqa: S101 - just put
    job = console.jobs.submit(
        owner=owner,
        kind="holder-import-check",
        title=Msg(N_("Checking %(file)s"), {"file": staged.filename}),
        work=_check(request.app.state.database, staged),
    )
    return RedirectResponse(f"/admin/jobs/{job.id}", status_code=303)


def _principal(session: Any, user_id: uuid.UUID) -> Principal:
    principal = active_principal(session, user_id)
    if principal is None:
        raise NotFoundError("the account is no longer active")
    return principal


def _check(database: Database, staged: StagedFile) -> Work:
    def work(progress: Progress) -> JobResult:
        progress.stage(Msg(N_("Reading the file")))
        rows = read_rows(staged.content, media_type=_media_type(staged))
        progress.stage(Msg(N_("Checking every row")), total=len(rows))
        with database.transaction() as session:
            planned = bulk_import.plan_import(session, _principal(session, staged.owner), rows)
            # Nothing is written while checking; roll back whatever the planning touched.
            session.rollback()
        progress.advance(len(rows))
        reports = [item.report for item in planned]
        counts = Counter(report.action.value for report in reports)
        return JobResult(
            summary=Msg(
                N_("%(rows)s rows: %(new)s new, %(update)s to update, %(error)s with errors."),
                {
                    "rows": len(reports),
                    "new": counts["create"],
                    "update": counts["update"],
                    "error": counts["error"],
                },
            ),
            data={"staged_id": staged.id, "rows": reports, "errors": counts["error"]},
        )

    return work


def _media_type(staged: StagedFile) -> str:
    if staged.filename.lower().endswith(".xlsx"):
        return XLSX_MEDIA_TYPE
    return staged.media_type


@router.post("/{staged_id}/save")
def save(
    staged_id: str,
    request: Request,
    console: ConsoleState,
    viewer: Writer,
) -> Response:
    staged = console.staged.get(staged_id, viewer.principal.user_id)
    if staged is None:
        raise NotFoundError("the uploaded file has expired; upload it again")
    job = console.jobs.submit(
        owner=viewer.principal.user_id,
        kind="holder-import-save",
        title=Msg(N_("Saving %(file)s"), {"file": staged.filename}),
        work=_save(request.app.state.database, staged, request.app.state.clock()),
    )
    console.staged.discard(staged_id)
    return RedirectResponse(f"/admin/jobs/{job.id}", status_code=303)


def _save(database: Database, staged: StagedFile, now: datetime) -> Work:
    """All rows or none, in one transaction, with progress as rows are written."""

    def work(progress: Progress) -> JobResult:
        rows = read_rows(staged.content, media_type=_media_type(staged))
        with database.transaction() as session:
            principal = _principal(session, staged.owner)
            planned = bulk_import.plan_import(session, principal, rows)
            errors = sum(1 for item in planned if item.report.action is bulk_import.RowAction.ERROR)
            if errors:
                # Checked again at save time: the data may have changed since the preview.
                raise ImportRejectedError(f"{errors} row(s) have errors; nothing was saved")
            progress.stage(Msg(N_("Saving the rows")), total=len(planned))
            for index, item in enumerate(planned, start=1):
                if item.create is not None:
                    holders.create_holder(session, principal, item.create, now=now)
                elif item.update is not None and item.holder_id is not None:
                    holder = holders.get_holder(
                        session, principal, item.holder_id, roles=HOLDERS_WRITE, for_update=True
                    )
                    holders.update_holder(session, principal, holder, item.update, now=now)
                if index % PROGRESS_EVERY == 0:
                    progress.advance(index)
            progress.advance(len(planned))
        counts = Counter(item.report.action.value for item in planned)
        return JobResult(
            summary=Msg(
                N_("%(new)s holders created, %(update)s updated, %(same)s unchanged."),
                {"new": counts["create"], "update": counts["update"], "same": counts["unchanged"]},
            )
        )

    return work
