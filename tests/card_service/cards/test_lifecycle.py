"""The card state machine, pure."""

from __future__ import annotations

import itertools

import pytest

from card_service.cards.errors import IllegalTransitionError
from card_service.cards.lifecycle import FINAL_STATES, TRANSITIONS, Action, next_state
from card_service.cards.models import CardState


@pytest.mark.parametrize(("state", "action"), list(itertools.product(CardState, Action)))
def test_every_pair_is_either_a_transition_or_a_409(state, action) -> None:
    if (state, action) in TRANSITIONS:
        assert next_state(state, action) == TRANSITIONS[(state, action)]
        return
    with pytest.raises(IllegalTransitionError) as raised:
        next_state(state, action)
    assert raised.value.status == 409
    assert raised.value.extra == {"state": state.value, "action": action.value}


def test_final_states_have_no_way_out() -> None:
    assert all(state not in FINAL_STATES for state, _ in TRANSITIONS)


def test_nothing_leads_back_to_active_from_revoked() -> None:
    reachable = {CardState.REVOKED}
    frontier = [CardState.REVOKED]
    while frontier:
        state = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source == state and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == {CardState.REVOKED}
