"""Uploaded files waiting between their preview and the person's "save" (in memory,
per process, for an hour at most; see admin_ui.jobs for why memory is enough here)."""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

KEEP = timedelta(hours=1)
MAX_STAGED = 50


@dataclass(frozen=True)
class StagedFile:
    id: str
    owner: uuid.UUID
    filename: str
    media_type: str
    content: bytes
    staged_at: datetime


class StagedUploads:
    def __init__(self) -> None:
        self._files: dict[str, StagedFile] = {}
        self._lock = threading.Lock()

    def put(self, *, owner: uuid.UUID, filename: str, media_type: str, content: bytes) -> str:
        now = datetime.now(UTC)
        staged = StagedFile(secrets.token_urlsafe(16), owner, filename, media_type, content, now)
        with self._lock:
            for key in [k for k, f in self._files.items() if now - f.staged_at > KEEP]:
                del self._files[key]
            while len(self._files) >= MAX_STAGED:
                del self._files[min(self._files.values(), key=lambda f: f.staged_at).id]
            self._files[staged.id] = staged
        return staged.id

    def get(self, staged_id: str, owner: uuid.UUID) -> StagedFile | None:
        with self._lock:
            staged = self._files.get(staged_id)
        return staged if staged is not None and staged.owner == owner else None

    def discard(self, staged_id: str) -> None:
        with self._lock:
            self._files.pop(staged_id, None)
