"""The running reader: on-disk state, the tap processor, the reader loop and the
background sync, assembled from ``reader.toml`` and started by ``reader-agent run``.

Threads: the reader loop runs in the calling thread; the outbox uploader, the change
feed and the heartbeat each run in a daemon thread with their own outbox connection
where they need one (SQLite connections stay in the thread that opened them).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader_agent.backoff import Backoff
from reader_agent.client.service import ServiceClient
from reader_agent.client.tokens import ReaderTokenSigner
from reader_agent.counter.station import CounterStation
from reader_agent.door import Door, NullDoor, SimulatedDoor
from reader_agent.feedback import ConsoleFeedback, Feedback
from reader_agent.freshness import TrustHealth, assess
from reader_agent.loop import ReaderLoop
from reader_agent.modes import COUNTER_KINDS, TapKinds
from reader_agent.outbox import Outbox
from reader_agent.settings import DoorKind, ReaderSettings, SettingsError
from reader_agent.state.config_store import ConfigStore
from reader_agent.state.identity import ReaderIdentity, load_identity
from reader_agent.state.lock import DataDirLock
from reader_agent.state.trust_store import TrustStore
from reader_agent.sync import Heartbeater, TrustFollower, Uploader
from reader_agent.tap import TapOptions, TapProcessor
from reader_agent.version import agent_version
from reader_protocol.enrolment import ReaderMode
from reader_protocol.status import Heartbeat

logger = logging.getLogger(__name__)

OUTBOX_FILE = "outbox.sqlite3"
TRUST_DIRECTORY = "trust"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def make_door(kind: DoorKind) -> Door:
    if kind is DoorKind.SIMULATED:
        return SimulatedDoor()
    return NullDoor()


@dataclass
class ReaderState:
    """The state a running reader decides from (shared by the loop and the sync)."""

    identity: ReaderIdentity
    trust: TrustStore
    config: ConfigStore

    @classmethod
    def restore(cls, settings: ReaderSettings, *, now: datetime) -> ReaderState:
        identity = load_identity(settings.data_dir)
        trust = TrustStore(settings.data_dir / TRUST_DIRECTORY, roots=identity.roots)
        trust.restore(now=now)
        config = ConfigStore(
            settings.data_dir, keys=identity.config_keys, reader_id=identity.reader_id
        )
        config.restore()
        return cls(identity, trust, config)


class StatusReporter:
    """Builds heartbeats; opens its own outbox connection in the thread that calls it."""

    def __init__(
        self,
        state: ReaderState,
        outbox_path: Path,
        settings: ReaderSettings,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._state = state
        self._outbox_path = outbox_path
        self._settings = settings
        self._clock = clock
        self._outbox: Outbox | None = None
        self._last: TrustHealth | None = None

    def health(self) -> TrustHealth:
        health = assess(
            verifier=self._state.trust.verifier,
            config=self._state.config.config,
            local_max_crl_age=self._settings.local_max_crl_age,
            now=self._clock(),
        )
        if health != self._last:
            if health.failing_closed:
                logger.warning("failing closed: %s", "; ".join(health.problems))
            elif self._last is not None:
                logger.info("trust material current again: deciding normally")
            self._last = health
        return health

    def heartbeat(self) -> Heartbeat:
        if self._outbox is None:
            self._outbox = Outbox.open(self._outbox_path)
        counts = self._outbox.counts()
        return Heartbeat(
            sent_at=self._clock(),
            queue_depth=counts.pending,
            oldest_pending_at=self._outbox.oldest_pending_at(),
            crl_numbers=self._state.trust.crl_numbers(),
            trust_bundle_sequence=self._state.trust.bundle_sequence,
            config_version=self._state.config.version,
            failing_closed=self.health().failing_closed,
            agent_version=agent_version(),
        )


class Agent:
    """Use ``Agent.open(settings)``, then ``run()`` until ``stop`` is set."""

    def __init__(
        self,
        settings: ReaderSettings,
        state: ReaderState,
        *,
        door: Door,
        feedback: Feedback,
        clock: Callable[[], datetime],
        stop: threading.Event,
        lock: DataDirLock,
    ) -> None:
        self.settings = settings
        self.state = state
        self.stop = stop
        self._clock = clock
        self._lock = lock
        self._wake_uploader = threading.Event()
        self._outbox_path = settings.data_dir / OUTBOX_FILE
        self._door = door
        self._feedback = feedback
        self.client = ServiceClient(
            settings.base_url,
            signer=ReaderTokenSigner(state.identity.reader_id, state.identity.private_key),
            timeout=settings.sync.request_timeout_seconds,
        )
        self.status = StatusReporter(state, self._outbox_path, settings, clock=clock)
        self._threads: list[threading.Thread] = []

    @classmethod
    def open(
        cls,
        settings: ReaderSettings,
        *,
        door: Door | None = None,
        feedback: Feedback | None = None,
        clock: Callable[[], datetime] = _utc_now,
        stop: threading.Event | None = None,
    ) -> Agent:
        lock = DataDirLock(settings.data_dir).acquire()
        try:
            state = ReaderState.restore(settings, now=clock())
            _check_mode(settings, state.identity)
            return cls(
                settings,
                state,
                door=door or make_door(settings.door.kind),
                feedback=feedback or ConsoleFeedback(sys.stdout),
                clock=clock,
                stop=stop or threading.Event(),
                lock=lock,
            )
        except BaseException:
            lock.release()
            raise

    def start_sync(self) -> TrustFollower:
        """Start the background threads (uploader, change feed, heartbeat)."""
        backoff_max = self.settings.sync.max_backoff_seconds
        follower = TrustFollower(
            self.client,
            self.state.trust,
            self.state.config,
            clock=self._clock,
            stop=self.stop,
            backoff=Backoff(maximum=backoff_max),
        )
        uploader = Uploader(
            self._outbox_path,
            self.client,
            clock=self._clock,
            stop=self.stop,
            wake=self._wake_uploader,
            batch_size=self.settings.sync.upload_batch_size,
            backoff=Backoff(maximum=backoff_max),
        )
        heartbeater = Heartbeater(
            self.client,
            follower,
            self.status.heartbeat,
            clock=self._clock,
            interval=self.settings.sync.heartbeat_seconds,
            stop=self.stop,
            backoff=Backoff(maximum=min(backoff_max, self.settings.sync.heartbeat_seconds)),
        )
        for name, target in (
            ("uploader", uploader.run),
            ("change-feed", follower.run_feed),
            ("heartbeat", heartbeater.run),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self._wake_uploader.set()  # whatever is left from the last run goes first
        return follower

    def run(self, *, simulate_taps: int | None = None, tap_interval: float = 0.0) -> None:
        """Take taps until ``stop`` is set. With ``simulate_taps`` the card in the
        reader is tapped that many times, then the agent only syncs until stopped."""
        health = self.status.health()
        if not health.failing_closed:
            logger.info("trust material and configuration current: deciding offline-capable")
        self.start_sync()
        # A counter's citizen desk (docs/citizen-counter.md) runs beside the tap loop.
        desk = CounterStation.build(
            self.settings, self.state.identity, clock=self._clock, stop=self.stop
        )
        if desk is not None:
            desk.start()
        # SQLite connections stay in the thread that opened them: this one takes taps.
        outbox = Outbox.open(self._outbox_path)
        loop = ReaderLoop(self.settings.reader.pcsc_reader, self._processor(outbox), stop=self.stop)
        logger.info(
            "reader %s (%s) watching %r",
            self.state.identity.reader_id,
            self.state.identity.mode.value,
            loop.reader_name,
        )
        try:
            if simulate_taps is None:
                loop.run()
            else:
                loop.run_simulated(simulate_taps, interval_s=tap_interval)
                logger.info("%d simulated taps done; syncing until stopped", loop.taps)
                self.stop.wait()
        finally:
            if desk is not None:
                desk.close()
            outbox.close()
            self.close()

    def _processor(self, outbox: Outbox) -> TapProcessor:
        settings = self.settings
        kinds = TapKinds(
            self.state.identity.mode,
            direction=settings.attendance.direction,
            last_granted=lambda holder: outbox.last_granted(holder, COUNTER_KINDS),
        )
        return TapProcessor(
            trust=self.state.trust,
            config=self.state.config,
            outbox=outbox,
            door=self._door,
            feedback=self._feedback,
            kinds=kinds,
            options=TapOptions(
                max_crl_age=settings.local_max_crl_age,
                debounce_seconds=settings.policy.debounce_seconds,
                release_seconds=settings.door.release_seconds,
                extended_length=settings.reader.extended_length,
            ),
            on_recorded=self._wake_uploader.set,
            clock=self._clock,
        )

    def close(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=1.0)  # daemon threads blocked on the network just end
        self.client.close()
        self._lock.release()


def _check_mode(settings: ReaderSettings, identity: ReaderIdentity) -> None:
    if identity.mode is ReaderMode.ISSUANCE:
        raise SettingsError(
            "this reader is enrolled as an issuance station: use `reader-agent issue`"
        )
    if settings.counter.citizen_reader is not None and identity.mode is not ReaderMode.COUNTER:
        raise SettingsError(
            f"[counter] citizen_reader is for counter readers; this one is {identity.mode.value}"
        )
    configured = settings.enrolment.mode
    if configured is not None and configured is not identity.mode:
        raise SettingsError(
            f"reader.toml says mode {configured.value} but the reader "
            f"is enrolled as {identity.mode.value}"
        )
