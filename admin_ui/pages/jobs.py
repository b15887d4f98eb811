"""A long operation's page: progress while it runs (polled by htmx), then its result."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from admin_ui.console import ConsoleState
from admin_ui.jobs import Job, JobState
from admin_ui.security.context import CurrentViewer
from card_service.errors import NotFoundError

router = APIRouter(prefix="/jobs")


def _job(console: ConsoleState, viewer: CurrentViewer, job_id: str) -> Job:
    job = console.jobs.get(job_id, viewer.principal.user_id)
    if job is None:
        raise NotFoundError("no such job")
    return job


@router.get("/{job_id}")
def job_page(
    job_id: str, request: Request, console: ConsoleState, viewer: CurrentViewer
) -> Response:
    job = _job(console, viewer, job_id)
    return console.renderer.page(request, "jobs/status.html", {"job": job, "section": ""})


@router.get("/{job_id}/progress")
def job_progress(
    job_id: str, request: Request, console: ConsoleState, viewer: CurrentViewer
) -> Response:
    job = _job(console, viewer, job_id)
    # Finished: reload the whole page, which then shows the result instead of the bar.
    headers = {"HX-Refresh": "true"} if job.state is not JobState.RUNNING else {}
    return console.renderer.page(request, "jobs/_progress.html", {"job": job}, headers=headers)


@router.get("/{job_id}/download")
def job_download(job_id: str, console: ConsoleState, viewer: CurrentViewer) -> Response:
    job = _job(console, viewer, job_id)
    result = job.result
    if result is None or result.content is None or result.filename is None:
        raise NotFoundError("this job has no file")
    return Response(
        result.content,
        media_type=result.media_type or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
    )
