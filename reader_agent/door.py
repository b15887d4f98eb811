"""The door a reader releases: a relay pulse behind one small interface.

``SimulatedDoor`` records each pulse (demos, tests); ``NullDoor`` is for points
that open nothing (attendance terminals, service counters). A relay driver for real
hardware implements the same ``release``. The reader calls ``release`` only after
the tap's event is committed to the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

logger = logging.getLogger(__name__)

KEPT_PULSES = 1000
MAX_RELEASE_S = 30.0  # longer than any door needs; a larger value is a configuration error


class Door(Protocol):
    def release(self, duration_s: float) -> None:
        """Unlock for ``duration_s`` seconds; return at once (the lock re-engages alone)."""
        ...


@dataclass(frozen=True)
class Pulse:
    at: datetime
    duration_s: float


def check_duration(duration_s: float) -> None:
    if not 0 < duration_s <= MAX_RELEASE_S:
        raise ValueError(f"a door release lasts more than 0 and at most {MAX_RELEASE_S} s")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SimulatedDoor:
    """Records pulses instead of driving a relay."""

    def __init__(self, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._clock = clock
        self.pulses: list[Pulse] = []

    def release(self, duration_s: float) -> None:
        check_duration(duration_s)
        pulse = Pulse(self._clock(), duration_s)
        self.pulses.append(pulse)
        if len(self.pulses) > KEPT_PULSES:  # a demo door may run for months
            del self.pulses[:-KEPT_PULSES]
        logger.info("door released for %.1f s (simulated)", duration_s)


class NullDoor:
    """A point with no door: a release is accepted and does nothing."""

    def release(self, duration_s: float) -> None:
        check_duration(duration_s)
        logger.debug("no door to release")
