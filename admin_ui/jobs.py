"""Long operations (bulk import, big exports) run here, off the request, with progress.

Jobs live in this process's memory: a job started on one replica is seen only there
and is lost when the process restarts (the person starts it again). That is enough for
one console process; a shared table would be needed behind a load balancer without
sticky sessions (docs/admin-ui.md). Each job belongs to the person who started it.
"""

from __future__ import annotations

import enum
import logging
import secrets
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from admin_ui.i18n import N_, Msg
from card_service.errors import CardServiceError

logger = logging.getLogger(__name__)

KEEP_FINISHED = timedelta(hours=2)
MAX_JOBS = 200


class JobState(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class JobResult:
    """What a finished job offers: a file to download, a summary, data for its page."""

    summary: Msg | None = None
    filename: str | None = None
    media_type: str | None = None
    content: bytes | None = None
    data: Any = None


@dataclass
class Job:
    id: str
    owner: uuid.UUID
    kind: str
    title: Msg
    created_at: datetime
    state: JobState = JobState.RUNNING
    done: int = 0
    total: int = 0
    stage: Msg | None = None
    result: JobResult | None = None
    error: Msg | None = None
    finished_at: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def percent(self) -> int:
        if self.state is not JobState.RUNNING:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class Progress:
    """Handed to the work function: it reports how far it got."""

    def __init__(self, job: Job) -> None:
        self._job = job

    def stage(self, message: Msg, *, total: int = 0) -> None:
        with self._job._lock:
            self._job.stage = message
            self._job.total = total
            self._job.done = 0

    def advance(self, done: int) -> None:
        with self._job._lock:
            self._job.done = done


Work = Callable[[Progress], JobResult]


class JobRunner:
    """A small pool of worker threads. ``inline=True`` runs jobs at once in the caller
    (unit tests, whose database connection cannot be shared with another thread)."""

    def __init__(self, *, workers: int = 2, inline: bool = False) -> None:
        self._inline = inline
        self._pool = None if inline else ThreadPoolExecutor(workers, "console-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, *, owner: uuid.UUID, kind: str, title: Msg, work: Work) -> Job:
        now = datetime.now(UTC)
        job = Job(id=secrets.token_urlsafe(16), owner=owner, kind=kind, title=title, created_at=now)
        with self._lock:
            self._prune(now)
            self._jobs[job.id] = job
        if self._pool is None:
            self._run(job, work)
        else:
            self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str, owner: uuid.UUID) -> Job | None:
        """The job, only for the person who started it."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def _run(self, job: Job, work: Work) -> None:
        try:
            result = work(Progress(job))
        except CardServiceError as exc:
            self._finish(
                job, None, Msg(N_("The service refused this: %(detail)s"), {"detail": exc.detail})
            )
        except Exception:  # a job must always end; the log has the traceback
            logger.exception("console job %s (%s) failed", job.id, job.kind)
            self._finish(job, None, Msg(N_("An unexpected error stopped this; it is logged.")))
        else:
            self._finish(job, result, None)

    @staticmethod
    def _finish(job: Job, result: JobResult | None, error: Msg | None) -> None:
        with job._lock:
            job.result = result
            job.error = error
            job.state = JobState.DONE if error is None else JobState.FAILED
            job.finished_at = datetime.now(UTC)

    def _prune(self, now: datetime) -> None:
        stale = [
            key
            for key, job in self._jobs.items()
            if job.finished_at is not None and now - job.finished_at > KEEP_FINISHED
        ]
        for key in stale:
            del self._jobs[key]
        while len(self._jobs) >= MAX_JOBS:
            oldest = min(self._jobs.values(), key=lambda job: job.created_at)
            del self._jobs[oldest.id]
