"""The upload's request body: a strict envelope around events checked one by one.

``reader_protocol.events.EventBatch`` would refuse a whole batch for one malformed event.
Here the envelope (``sent_at``, at most 1,000 events, nothing else) is validated as
usual, while each event is kept as the reader sent it and validated on its own
(``validation.py``), so a bad event is refused alone. The OpenAPI schema still
describes every event as a ``TapEventMessage`` for client generators.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainValidator

from reader_protocol.events import MAX_EVENTS_PER_BATCH, TapEventMessage


def _as_sent(unverified: Any) -> Any:
    return unverified


# An event exactly as parsed from the JSON body (any value); OpenAPI still names its
# schema: TapEventMessage.
UnverifiedEvent = Annotated[Any, PlainValidator(_as_sent, json_schema_input_type=TapEventMessage)]


class IncomingEventBatch(BaseModel):
    """What a reader POSTs: an ``EventBatch`` whose events are not yet validated."""

    model_config = ConfigDict(extra="forbid")

    sent_at: AwareDatetime
    events: list[UnverifiedEvent] = Field(max_length=MAX_EVENTS_PER_BATCH)
