from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader_agent.debounce import Debouncer, debounce


def test_repeats_inside_the_window_count_once() -> None:
    taps = [("A", 0.0), ("A", 0.4), ("B", 0.5), ("A", 2.9), ("A", 3.0), ("B", 1.0)]
    assert debounce(taps, window_s=3.0) == [0, 2, 4]


def test_the_window_runs_from_the_last_counted_tap() -> None:
    debouncer = Debouncer(2.0)
    # A card held on the reader: counted at 0, 2 and 4, not in between.
    counted = [t for t in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.5, 4.0) if debouncer.accept("A", t)]
    assert counted == [0.0, 2.0, 4.0]


def test_a_clock_stepped_back_counts_rather_than_loses_a_tap() -> None:
    debouncer = Debouncer(60.0)
    assert debouncer.accept("A", 1000.0)
    assert debouncer.accept("A", 10.0)


def test_a_zero_window_counts_everything_and_a_negative_one_is_refused() -> None:
    assert debounce([("A", 1.0), ("A", 1.0)], window_s=0.0) == [0, 1]
    with pytest.raises(ValueError, match="negative"):
        Debouncer(-1.0)


def test_memory_stays_bounded_without_changing_answers() -> None:
    debouncer = Debouncer(1.0, max_cards=10)
    for index in range(1000):
        assert debouncer.accept(index, float(index))
    assert len(debouncer._last_counted) <= 11  # the bound is the point of this test
    assert not debouncer.accept(999, 999.5)


@given(
    st.lists(st.tuples(st.sampled_from("ABC"), st.floats(0, 100)), max_size=40),
    st.floats(0.1, 20),
)
def test_counted_taps_of_a_card_are_a_window_apart(
    raw: list[tuple[str, float]], window: float
) -> None:
    taps = sorted(raw, key=lambda tap: tap[1])
    counted = [taps[i] for i in debounce(taps, window)]
    for card in "ABC":
        times = [at for c, at in counted if c == card]
        assert all(later - earlier >= window for earlier, later in itertools.pairwise(times))
        if any(c == card for c, _ in taps):
            assert times  # a card that tapped counted at least once
