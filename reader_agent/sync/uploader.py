"""Upload the outbox in batches, oldest first, until it is empty; retry with back-off.

The service stores each event id once, so re-sending after a crash or a lost answer
is harmless. Exactly the ids the service lists as ``stored`` or ``duplicates`` are
marked sent; ``refused`` ones are set aside for an operator and never re-sent.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from reader_agent.backoff import Backoff
from reader_agent.client.errors import ServiceError
from reader_agent.client.service import ServiceClient
from reader_agent.outbox import Outbox, OutboxError, TapEvent
from reader_protocol.events import EventBatch, RefusedEvent

logger = logging.getLogger(__name__)

IDLE_SECONDS = 5.0  # look at the outbox at least this often, woken or not
KEEP_SENT = timedelta(days=30)  # sent events kept for an operator to look at
PRUNE_EVERY = timedelta(hours=1)


class Uploader:
    """Runs in its own thread with its own outbox connection (opened by ``run``)."""

    def __init__(
        self,
        outbox_path: Path,
        client: ServiceClient,
        *,
        clock: Callable[[], datetime],
        stop: threading.Event,
        wake: threading.Event,
        batch_size: int = 500,
        backoff: Backoff | None = None,
    ) -> None:
        self._path = outbox_path
        self._client = client
        self._clock = clock
        self._stop = stop
        self._wake = wake
        self._batch_size = batch_size
        self._backoff = backoff or Backoff()
        self.uploaded = 0
        self._pruned_at: datetime | None = None

    def run(self) -> None:
        with Outbox.open(self._path) as outbox:
            while not self._stop.is_set():
                self._wake.wait(IDLE_SECONDS)
                self._wake.clear()
                try:
                    self.drain(outbox)
                    self.prune(outbox)
                except OutboxError:
                    logger.exception("cannot read the outbox")
                    self._stop.wait(self._backoff.next_delay())

    def prune(self, outbox: Outbox) -> int:
        """Forget sent events older than KEEP_SENT, at most once per PRUNE_EVERY."""
        now = self._clock()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return 0
        self._pruned_at = now
        forgotten = outbox.forget_sent(now - KEEP_SENT)
        if forgotten:
            logger.info("forgot %d uploaded events older than %s", forgotten, KEEP_SENT)
        return forgotten

    def drain(self, outbox: Outbox) -> None:
        """Send batches until nothing is pending, the service is away, or ``stop``."""
        while not self._stop.is_set():
            events = outbox.pending(self._batch_size)
            if not events:
                self._backoff.reset()
                return
            batch = EventBatch(sent_at=self._clock(), events=[e.to_message() for e in events])
            try:
                result = self._client.upload(batch)
            except ServiceError as exc:
                delay = self._backoff.next_delay()
                logger.info(
                    "upload of %d events failed (%s); again in %.1f s", len(events), exc, delay
                )
                self._stop.wait(delay)
                continue
            sent = outbox.mark_sent([*result.stored, *result.duplicates])
            refused_ids = [_refused_id(refusal, events) for refusal in result.refused]
            refused = outbox.mark_refused(i for i in refused_ids if i is not None)
            for refusal, event_id in zip(result.refused, refused_ids, strict=True):
                logger.error("service refused event %s: %s", event_id, refusal.code.value)
            self.uploaded += sent
            if sent + refused == 0:
                # An answer naming none of our ids would loop forever at full speed.
                logger.error("the service's answer named none of the %d events sent", len(events))
                self._stop.wait(self._backoff.next_delay())
            else:
                self._backoff.reset()


def _refused_id(refusal: RefusedEvent, sent: list[TapEvent]) -> uuid.UUID | None:
    """The refused event's id; by its position in the batch when the service could not
    read the id (our own events always have one, so that means a protocol mismatch)."""
    if refusal.id is not None:
        return refusal.id
    return sent[refusal.index].id if refusal.index < len(sent) else None
