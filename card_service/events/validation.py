"""Validating an upload's events one by one, without paying for it when all are good.

The usual batch is valid as a whole, and one validation of the whole list is the
cheapest way to find that out. Only when it fails is each event validated on its own,
so that the invalid ones are refused with their position (and id, when it parses) and
the valid ones are stored as usual.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError

from reader_protocol.events import RefusalCode, RefusedEvent, TapEventMessage

_ALL_EVENTS = TypeAdapter(list[TapEventMessage])
DETAIL_MAX_LENGTH = 500  # a refusal names the failing fields, not a whole essay


def validate_events(
    unverified_events: Sequence[Any],
) -> tuple[list[TapEventMessage | None], list[RefusedEvent]]:
    """The events in batch order (``None`` where an event is invalid), and one
    ``invalid_event`` refusal per invalid event."""
    try:
        return list(_ALL_EVENTS.validate_python(unverified_events)), []
    except ValidationError:
        pass
    events: list[TapEventMessage | None] = []
    refused: list[RefusedEvent] = []
    for index, unverified in enumerate(unverified_events):
        try:
            events.append(TapEventMessage.model_validate(unverified))
        except ValidationError as exc:
            events.append(None)
            refused.append(
                RefusedEvent(
                    index=index,
                    id=_claimed_id(unverified),
                    code=RefusalCode.INVALID_EVENT,
                    detail=_describe(exc),
                )
            )
    return events, refused


def _claimed_id(unverified: Any) -> uuid.UUID | None:
    """The event's id if it parses as a UUID, so the reader can find the event."""
    claimed = unverified.get("id") if isinstance(unverified, dict) else None
    if not isinstance(claimed, str):
        return None
    try:
        return uuid.UUID(claimed)
    except ValueError:
        return None


def _describe(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(map(str, error['loc'])) or 'event'}: {error['msg']}"
        for error in exc.errors(include_url=False, include_input=False)
    ]
    detail = "; ".join(problems)
    if len(detail) > DETAIL_MAX_LENGTH:
        detail = detail[: DETAIL_MAX_LENGTH - 3] + "..."
    return detail
