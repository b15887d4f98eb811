"""Exponential back-off with jitter, for everything that retries (sync, reader loop).

Pure: the random source is a parameter, so tests know every delay.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable


class Backoff:
    """Delays ``initial * factor**n``, capped at ``maximum``, each scaled by a random
    factor in [1 - jitter, 1] so that many readers reconnecting after an outage do
    not all knock at the same instant."""

    def __init__(
        self,
        *,
        initial: float = 0.5,
        maximum: float = 15.0,
        factor: float = 2.0,
        jitter: float = 0.5,
        random: Callable[[], float] = _random.random,
    ) -> None:
        if not 0 < initial <= maximum or factor < 1 or not 0 <= jitter < 1:
            raise ValueError("back-off needs 0 < initial <= maximum, factor >= 1, 0 <= jitter < 1")
        self._initial = initial
        self._maximum = maximum
        self._factor = factor
        self._jitter = jitter
        self._random = random
        self._failures = 0

    @property
    def failures(self) -> int:
        return self._failures

    def next_delay(self) -> float:
        """The delay before the next attempt, after one more failure."""
        ceiling = min(self._maximum, self._initial * self._factor**self._failures)
        if ceiling < self._maximum:  # stop counting once capped (no float overflow)
            self._failures += 1
        return ceiling * (1 - self._jitter * self._random())

    def reset(self) -> None:
        self._failures = 0
