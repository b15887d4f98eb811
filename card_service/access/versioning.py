"""The policy version readers compare against: any change they must see bumps it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from card_service.access.models import PolicyState

_ROW = 1


def current_version(session: Session) -> int:
    state = session.get(PolicyState, _ROW)
    return state.version if state is not None else 1


def bump(session: Session, *, now: datetime) -> int:
    """Next version, under a row lock so concurrent changes never share a number."""
    state = session.get(PolicyState, _ROW, with_for_update=True)
    if state is None:
        state = PolicyState(id=_ROW, version=1, changed_at=now)
        session.add(state)
    state.version += 1
    state.changed_at = now
    session.flush()
    return state.version
