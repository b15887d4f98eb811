"""What a tap means in each reader mode (the ``kind`` of its event).

- door: ``door``.
- attendance: ``attendance_in`` / ``attendance_out`` at a point configured for one
  direction, or ``attendance`` where the service infers the direction from the day.
- counter: a staff member signs in to the counter, and out with the next granted tap
  the same (local) day: ``counter_sign_in`` / ``counter_sign_out``, toggled per holder.
  The toggle starts from the outbox after a restart, so a restart never signs
  someone in twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from reader_agent.settings import Direction
from reader_protocol.enrolment import ReaderMode
from reader_protocol.events import TapKind

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
COUNTER_KINDS = (TapKind.COUNTER_SIGN_IN, TapKind.COUNTER_SIGN_OUT)
_ATTENDANCE = {
    Direction.IN: TapKind.ATTENDANCE_IN,
    Direction.OUT: TapKind.ATTENDANCE_OUT,
    Direction.INFERRED: TapKind.ATTENDANCE,
}

LastGranted = Callable[[uuid.UUID], "tuple[TapKind, datetime] | None"]


class TapKinds:
    def __init__(
        self,
        mode: ReaderMode,
        *,
        direction: Direction = Direction.INFERRED,
        last_granted: LastGranted = lambda _holder: None,
        zone: ZoneInfo = LOCAL_ZONE,
    ) -> None:
        if mode is ReaderMode.ISSUANCE:
            raise ValueError("an issuance station personalises cards; it does not take taps")
        self._mode = mode
        self._direction = direction
        self._last_granted = last_granted
        self._zone = zone
        self._counter: dict[uuid.UUID, tuple[TapKind, datetime] | None] = {}

    @property
    def mode(self) -> ReaderMode:
        return self._mode

    def kind_for(self, holder_id: uuid.UUID | None, *, now: datetime) -> TapKind:
        if self._mode is ReaderMode.DOOR:
            return TapKind.DOOR
        if self._mode is ReaderMode.ATTENDANCE:
            return _ATTENDANCE[self._direction]
        if holder_id is None:
            return TapKind.COUNTER_SIGN_IN
        last = self._last_counter(holder_id)
        signed_in_today = (
            last is not None
            and last[0] is TapKind.COUNTER_SIGN_IN
            and self._day(last[1]) == self._day(now)
        )
        return TapKind.COUNTER_SIGN_OUT if signed_in_today else TapKind.COUNTER_SIGN_IN

    def recorded(
        self, holder_id: uuid.UUID | None, kind: TapKind, *, granted: bool, at: datetime
    ) -> None:
        """Tell the toggle that a tap was committed."""
        if granted and holder_id is not None and kind in COUNTER_KINDS:
            self._counter[holder_id] = (kind, at)

    def _last_counter(self, holder_id: uuid.UUID) -> tuple[TapKind, datetime] | None:
        if holder_id not in self._counter:
            self._counter[holder_id] = self._last_granted(holder_id)
        return self._counter[holder_id]

    def _day(self, at: datetime) -> object:
        return at.astimezone(self._zone).date()
