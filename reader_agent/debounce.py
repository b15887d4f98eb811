"""Repeat taps of one card within a window count once.

A card held on a reader, or tapped twice out of habit, must not open the door twice
or make two attendance records. The window runs from the last tap that counted, so
a card left on the reader counts again once per window. Time is a parameter (the
reader passes ``time.monotonic()``), so this is pure and exact to test.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable


class Debouncer:
    """Remembers, per card, when its last counted tap was."""

    def __init__(self, window_s: float, *, max_cards: int = 10_000) -> None:
        if window_s < 0:
            raise ValueError("a debounce window cannot be negative")
        self.window_s = window_s
        self._max_cards = max_cards
        self._last_counted: dict[Hashable, float] = {}

    def accept(self, card: Hashable, now: float) -> bool:
        """True if this tap counts; False if it repeats one inside the window.

        A time earlier than the last counted tap (a clock stepped back) counts: a
        second record is better than a lost one."""
        last = self._last_counted.get(card)
        if last is not None and last <= now < last + self.window_s:
            return False
        self._last_counted[card] = now
        if len(self._last_counted) > self._max_cards:
            self._forget_before(now - self.window_s)
        return True

    def _forget_before(self, cutoff: float) -> None:
        """Drop cards whose window has closed (they would count anyway)."""
        self._last_counted = {c: t for c, t in self._last_counted.items() if t > cutoff}


def debounce(taps: Iterable[tuple[Hashable, float]], window_s: float) -> list[int]:
    """Indexes of the taps that count, for taps given in time order."""
    debouncer = Debouncer(window_s)
    return [index for index, (card, at) in enumerate(taps) if debouncer.accept(card, at)]
