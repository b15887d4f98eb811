"""One agent per data directory: two would race for the outbox sequence and the door."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from reader_agent.state.errors import StateError
from reader_agent.state.files import ensure_directory

LOCK_FILE = "agent.lock"


class DataDirLock:
    """An exclusive flock on ``<data_dir>/agent.lock``; the kernel releases it when the
    process dies, however it dies (the crash test kills agents with SIGKILL)."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> DataDirLock:
        ensure_directory(self._path.parent)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise StateError(f"another reader-agent is using {self._path.parent}") from exc
        self._fd = fd
        return self

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
