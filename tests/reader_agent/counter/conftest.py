"""A virtual citizen ID card read in-process, and a fake service for the desk."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from crypto.emrtd import CscaTrustStore
from reader_agent.client.errors import ServiceRefusedError, ServiceUnavailableError
from reader_agent.counter.reading import read_citizen
from reader_agent.emrtd.keys.access import CanKey
from reader_agent.virtual.id_card_state import (
    initialise,
    load_chip,
    load_citizen,
    load_trust_material,
)
from reader_protocol.counter import (
    CitizenSessionEnded,
    CitizenSessionStart,
    CitizenSessionStarted,
    CounterCatalogue,
    CounterService,
    CounterStatus,
)
from tests.reader_agent.emrtd.conftest import ChipConnection

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def card_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("counter-card")
    initialise(directory, now=NOW, seed=4620)
    return directory


@pytest.fixture(scope="session")
def citizen(card_dir):
    return load_citizen(card_dir)


@pytest.fixture(scope="session")
def csca_store(card_dir):
    store = CscaTrustStore()
    store.add_certificate(load_trust_material(card_dir).csca_certificate)
    return store


@pytest.fixture(scope="session")
def reads(card_dir, citizen, csca_store):
    """One in-process read per misbehaviour (None: the honest card)."""

    def read(misbehave=None, at=NOW):
        connection = ChipConnection(load_chip(card_dir, misbehave=misbehave))
        return read_citizen(connection, CanKey(citizen.can), csca_store, now=at)

    return {m: read(m) for m in (None, "tampered-dg", "unknown-csca", "cloned")}


@dataclass
class FakeService:
    """The counter endpoints, recording what was sent; ``refuse`` makes the next call fail."""

    started: list[CitizenSessionStart] = field(default_factory=list)
    ended: list[uuid.UUID] = field(default_factory=list)
    refuse: str | None = None
    unavailable: bool = False
    signed_in: bool = True

    def _maybe_fail(self) -> None:
        if self.unavailable:
            raise ServiceUnavailableError("service away")
        if self.refuse is not None:
            code, self.refuse = self.refuse, None
            raise ServiceRefusedError(409, code, "refused", {"code": code})

    def counter_catalogue(self) -> CounterCatalogue:
        self._maybe_fail()
        return CounterCatalogue(services=[CounterService(code="HT-KS", name="Đăng ký khai sinh")])

    def counter_status(self) -> CounterStatus:
        self._maybe_fail()
        return CounterStatus(
            counter_unit_id=uuid.UUID(int=1),
            counter_name="Quầy 01",
            staff_holder_id=uuid.UUID(int=2) if self.signed_in else None,
            staff_name="Trần Văn Minh" if self.signed_in else None,
        )

    def start_citizen_session(self, request: CitizenSessionStart) -> CitizenSessionStarted:
        self._maybe_fail()
        self.started.append(request)
        return CitizenSessionStarted(
            session_id=uuid.uuid4(),
            service_code=request.service_code,
            service_name="Đăng ký khai sinh",
            started_at=NOW,
        )

    def end_citizen_session(self, session_id: uuid.UUID) -> CitizenSessionEnded:
        self._maybe_fail()
        self.ended.append(session_id)
        return CitizenSessionEnded(
            session_id=session_id, started_at=NOW, ended_at=NOW + timedelta(minutes=5)
        )


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now
