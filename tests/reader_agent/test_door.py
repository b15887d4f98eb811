from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reader_agent.door import Door, NullDoor, Pulse, SimulatedDoor

AT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def test_a_simulated_door_records_each_pulse_with_the_clocks_time() -> None:
    door = SimulatedDoor(clock=lambda: AT)
    door.release(3.0)
    door.release(1.5)
    assert door.pulses == [Pulse(AT, 3.0), Pulse(AT, 1.5)]


@pytest.mark.parametrize("door", [SimulatedDoor(), NullDoor()])
@pytest.mark.parametrize("duration", [0.0, -1.0, 31.0, float("nan")])
def test_impossible_durations_are_configuration_errors(door: Door, duration: float) -> None:
    with pytest.raises(ValueError, match="door release"):
        door.release(duration)


def test_a_null_door_accepts_a_release() -> None:
    NullDoor().release(3.0)  # nothing to open, nothing raised
    simulated = SimulatedDoor()
    doors: list[Door] = [NullDoor(), simulated]
    for door in doors:
        door.release(2.0)
    assert len(simulated.pulses) == 1
