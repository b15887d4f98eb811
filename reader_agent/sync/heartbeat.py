"""Tell the service how this reader is, and learn what is current (the poll fallback
of the change feed): every ``interval`` seconds, sooner after a failure."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from reader_agent.backoff import Backoff
from reader_agent.client.errors import ServiceError, ServiceRefusedError
from reader_agent.client.service import ServiceClient
from reader_agent.sync.follower import TrustFollower
from reader_protocol.status import Heartbeat

logger = logging.getLogger(__name__)


class Heartbeater:
    def __init__(
        self,
        client: ServiceClient,
        follower: TrustFollower,
        status: Callable[[], Heartbeat],
        *,
        clock: Callable[[], datetime],
        interval: float,
        stop: threading.Event,
        backoff: Backoff | None = None,
    ) -> None:
        self._client = client
        self._follower = follower
        self._status = status
        self._clock = clock
        self._interval = interval
        self._stop = stop
        self._backoff = backoff or Backoff(maximum=interval)
        self._reachable: bool | None = None
        self.beats = 0

    def beat(self) -> None:
        """One heartbeat and the catch-up it calls for; raises ServiceError."""
        sent_at = self._clock()
        ack = self._client.heartbeat(self._status())
        signer = self._client.signer
        if signer is not None:
            signer.observe_server_time(ack.server_time, at=sent_at)
        self._follower.catch_up(ack)
        self.beats += 1

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.beat()
            except ServiceRefusedError as exc:
                # Deregistered, or a key the service no longer knows: decisions go on
                # from what is held, but an operator has to look.
                logger.error("the service refuses this reader's heartbeat: %s", exc)  # noqa: TRY400
                self._reachable = False
                self._stop.wait(self._backoff.next_delay())
                continue
            except ServiceError as exc:
                if self._reachable is not False:
                    logger.warning("service unreachable (%s); deciding offline", exc)
                self._reachable = False
                self._stop.wait(self._backoff.next_delay())
                continue
            except Exception:
                logger.exception("heartbeat failed")
                self._stop.wait(self._backoff.next_delay())
                continue
            if self._reachable is not True:
                logger.info("service reachable")
            self._reachable = True
            self._backoff.reset()
            self._stop.wait(self._interval)
