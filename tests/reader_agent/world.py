"""A reader assembled in-process around a DoorPki: trust store, configuration, outbox,
a door that checks the outbox when it is released, and in-memory feedback."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reader_agent.connection import Connection
from reader_agent.feedback import InMemoryFeedback
from reader_agent.modes import COUNTER_KINDS, TapKinds
from reader_agent.outbox import Outbox
from reader_agent.settings import Direction
from reader_agent.state.config_store import ConfigStore
from reader_agent.state.trust_store import TrustStore
from reader_agent.tap import TapOptions, TapProcessor, TapResult
from reader_protocol.enrolment import ReaderMode
from tests.reader_agent.door_pki import DoorPki


class RecordingDoor:
    """Records releases and, at each, how many events the outbox had committed: the
    door must only ever move after the tap's event is on disk."""

    def __init__(self, outbox_path: Path) -> None:
        self._outbox_path = outbox_path
        self.releases: list[tuple[float, int]] = []

    def release(self, duration_s: float) -> None:
        with Outbox.open(self._outbox_path) as outbox:  # a second connection: committed only
            committed = outbox.last_reader_seq()
        self.releases.append((duration_s, committed))


@dataclass
class World:
    pki: DoorPki
    directory: Path
    trust: TrustStore
    config: ConfigStore
    outbox: Outbox
    door: RecordingDoor
    feedback: InMemoryFeedback
    clock: Callable[[], datetime]
    mode: ReaderMode = ReaderMode.DOOR
    options: TapOptions = field(default_factory=TapOptions)
    monotonic: list[float] = field(default_factory=lambda: [1000.0])
    _processor: TapProcessor | None = None

    @classmethod
    def build(
        cls,
        directory: Path,
        pki: DoorPki,
        *,
        holders: dict[uuid.UUID, str] | None = None,
        crl: bytes | None = None,
        clock: Callable[[], datetime] | None = None,
        config: bytes | None = None,
        mode: ReaderMode = ReaderMode.DOOR,
        options: TapOptions | None = None,
    ) -> World:
        trust = TrustStore(directory / "trust", roots=pki.roots)
        now = clock or (lambda: pki.now)
        trust.offer_bundle(pki.bundle(), now=now())
        trust.offer_crl(crl if crl is not None else pki.crl(), now=now())
        store = ConfigStore(directory, keys=pki.config_keys, reader_id=pki.reader_id)
        store.offer(config if config is not None else pki.config(holders or {}, mode=mode))
        outbox_path = directory / "outbox.sqlite3"
        return cls(
            pki,
            directory,
            trust,
            store,
            Outbox.open(outbox_path),
            RecordingDoor(outbox_path),
            InMemoryFeedback(),
            now,
            mode,
            options or TapOptions(),
        )

    @property
    def processor(self) -> TapProcessor:
        if self._processor is None:
            kinds = TapKinds(
                self.mode,
                direction=Direction.INFERRED,
                last_granted=lambda holder: self.outbox.last_granted(holder, COUNTER_KINDS),
            )
            self._processor = TapProcessor(
                trust=self.trust,
                config=self.config,
                outbox=self.outbox,
                door=self.door,
                feedback=self.feedback,
                kinds=kinds,
                options=self.options,
                clock=self.clock,
                monotonic=lambda: self.monotonic[0],
            )
        return self._processor

    def tap(self, connection: Connection) -> TapResult:
        return self.processor.tap(connection)

    def later(self, seconds: float) -> None:
        """Move the debounce clock on."""
        self.monotonic[0] += seconds
