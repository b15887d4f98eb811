"""A per-client sliding-window limit on password attempts (in this process's memory):
sign-in and password change, API and console, share one limiter and so one count.

The per-account lock-out lives in the database and holds across replicas; this limit
only slows a single address hammering one replica.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

_MAX_TRACKED_CLIENTS = 100_000


class AttemptLimiter:
    def __init__(self, *, limit: int, window: timedelta = timedelta(minutes=1)) -> None:
        self._limit = limit
        self._window = window
        self._attempts: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, *, now: datetime) -> bool:
        """Record an attempt by ``client``; False when it is over the limit."""
        with self._lock:
            attempts = self._attempts.setdefault(client, deque())
            while attempts and attempts[0] <= now - self._window:
                attempts.popleft()
            if len(attempts) >= self._limit:
                return False
            attempts.append(now)
            if len(self._attempts) > _MAX_TRACKED_CLIENTS:  # bound memory under a spray
                self._attempts = {k: v for k, v in self._attempts.items() if v}
            return True
