"""Follow the service's trust state: fetch what is newer than what the reader holds.

Two sources name the current state: the change feed (server-sent events, pushed
within a fraction of a second of a revocation) and every heartbeat answer (the poll
fallback, so a reader that lost the feed still catches up within one heartbeat).
Both call ``catch_up``, serialised by one lock.

Revocation lists come as a small delta when one chains from the number held, or as
the complete list otherwise (``delta_unavailable``, or a delta that does not chain).
Material that fails verification is refused and logged; the reader keeps what it
had, and fails closed once that is too old.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from crypto.errors import RevocationListGapError, VerificationError
from reader_agent.backoff import Backoff
from reader_agent.client.errors import ServiceError, ServiceRefusedError
from reader_agent.client.service import DELTA_UNAVAILABLE, ServiceClient
from reader_agent.state.config_store import ConfigStore
from reader_agent.state.errors import StateError
from reader_agent.state.trust_store import TrustStore

logger = logging.getLogger(__name__)


class CurrentState(Protocol):
    """What the service says is current (TrustState and HeartbeatAck both are)."""

    @property
    def trust_bundle_sequence(self) -> int: ...

    @property
    def crl_numbers(self) -> dict[str, int]: ...

    @property
    def config_version(self) -> int: ...


class TrustFollower:
    def __init__(
        self,
        client: ServiceClient,
        trust: TrustStore,
        config: ConfigStore,
        *,
        clock: Callable[[], datetime],
        stop: threading.Event,
        backoff: Backoff | None = None,
    ) -> None:
        self._client = client
        self._trust = trust
        self._config = config
        self._clock = clock
        self._stop = stop
        self._backoff = backoff or Backoff()
        self._lock = threading.Lock()
        self.feed_connected = threading.Event()

    # ------------------------------------------------------------ catching up

    def catch_up(self, state: CurrentState) -> None:
        """Fetch and accept whatever is newer than held. Raises ServiceError when the
        service cannot be reached (the caller retries later)."""
        with self._lock:
            if state.trust_bundle_sequence > self._trust.bundle_sequence:
                self._offer("trust bundle", self._fetch_bundle)
            for issuer_key_id, number in sorted(state.crl_numbers.items()):
                self._follow_crl(issuer_key_id, number)
            if state.config_version > self._config.version:
                self._offer("configuration", self._fetch_config)

    def _fetch_bundle(self) -> None:
        self._trust.offer_bundle(self._client.trust_bundle(), now=self._clock())

    def _fetch_config(self) -> None:
        self._config.offer(self._client.config_document())

    def _follow_crl(self, issuer_key_id: str, number: int) -> None:
        verifier = self._trust.verifier
        if verifier is None or issuer_key_id not in verifier.trust.issuers:
            return  # not an issuer we trust (yet): its list could not be checked
        held = self._trust.crl_numbers().get(issuer_key_id)
        if held is not None and held >= number:
            return
        if held is not None and self._try_delta(issuer_key_id, held):
            return

        def complete() -> None:
            self._trust.offer_crl(self._client.complete_crl(issuer_key_id), now=self._clock())

        self._offer(f"revocation list of {issuer_key_id}", complete)

    def _try_delta(self, issuer_key_id: str, held: int) -> bool:
        """True when the delta settled it (applied, or nothing newer)."""
        try:
            delta = self._client.delta_crl(issuer_key_id, held)
        except ServiceRefusedError as exc:
            if exc.code == DELTA_UNAVAILABLE:
                return False
            raise
        if delta is None:
            return True
        try:
            self._trust.offer_crl(delta, now=self._clock())
        except RevocationListGapError:
            return False  # it does not chain from what we hold: take the complete list
        except (VerificationError, StateError) as exc:
            logger.error("refused a delta CRL of %s: %s", issuer_key_id, exc)  # noqa: TRY400 - the refusal says why; a traceback adds nothing
        return True

    def _offer(self, what: str, fetch_and_offer: Callable[[], object]) -> None:
        try:
            fetch_and_offer()
        except (VerificationError, StateError) as exc:
            # Refused material is a security event, not a network hiccup: log it loudly
            # and keep what we hold. The next change or heartbeat tries again.
            logger.error("refused the %s the service offered: %s", what, exc)  # noqa: TRY400 - the refusal says why; a traceback adds nothing
        except ServiceRefusedError as exc:
            logger.error("the service would not give the %s: %s", what, exc)  # noqa: TRY400 - the refusal says why; a traceback adds nothing

    # ------------------------------------------------------------ the change feed

    def run_feed(self) -> None:
        """Follow the change feed until ``stop``; reconnect with back-off."""
        while not self._stop.is_set():
            try:
                with self._client.trust_events() as states:
                    self.feed_connected.set()
                    logger.info("change feed connected")
                    for state in states:
                        self._backoff.reset()
                        self.catch_up(state)
                        if self._stop.is_set():
                            return
                logger.info("change feed closed by the service")
            except ServiceError as exc:
                logger.debug("change feed unavailable: %s", exc)
            except Exception:  # the feed must come back whatever happened
                logger.exception("change feed failed")
            self.feed_connected.clear()
            self._stop.wait(self._backoff.next_delay())
