"""The reader's own configuration file (``reader.toml``), read once at start-up.

It says where the service is, where the reader keeps its state, which PC/SC reader
to watch, and what drives the door. What the reader *decides* (who may pass, when,
the door's maximum revocation-list age) comes signed from the service instead; the
few local settings below can only make a door stricter, never more open.

    service_url = "http://127.0.0.1:8000"
    data_dir = "/var/lib/reader-agent"

    [reader]
    pcsc_reader = "Virtual PCD 00 00"

    [enrolment]
    site_unit_id = "…"
    mode = "door"

    [door]
    kind = "simulated"

See docs/examples/reader.toml for every key with its default.
"""

from __future__ import annotations

import enum
import tomllib
import uuid
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from reader_agent.errors import ReaderAgentError
from reader_protocol.counter import LegalBasis
from reader_protocol.enrolment import ReaderMode

_STRICT = ConfigDict(extra="forbid", frozen=True)


class SettingsError(ReaderAgentError):
    """reader.toml is missing, unreadable or invalid (exit code 78, as sysexits' CONFIG)."""


class DoorKind(enum.StrEnum):
    SIMULATED = "simulated"  # records pulses in the log (demos, tests)
    NONE = "none"  # attendance points and counters open nothing


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"
    INFERRED = "inferred"  # the service infers in/out from the day's taps


class ReaderSection(BaseModel):
    model_config = _STRICT

    pcsc_reader: str = Field(
        default="Virtual PCD 00 00",
        min_length=1,
        description="The PC/SC reader's exact name (pcsc_scan or opensc-tool --list-readers)",
    )
    extended_length: bool = Field(
        default=False, description="One extended APDU instead of GET RESPONSE chains"
    )


class EnrolmentSection(BaseModel):
    """What an administrator registered the reader as; the one-time token is bound to it."""

    model_config = _STRICT

    site_unit_id: uuid.UUID | None = None
    mode: ReaderMode | None = None


class DoorSection(BaseModel):
    model_config = _STRICT

    kind: DoorKind = DoorKind.SIMULATED
    release_seconds: float | None = Field(
        default=None, gt=0, le=30, description="Overrides the service's door release time"
    )


class AttendanceSection(BaseModel):
    model_config = _STRICT

    direction: Direction = Direction.INFERRED


class PolicySection(BaseModel):
    """Local tightening of the signed configuration."""

    model_config = _STRICT

    debounce_seconds: float | None = Field(
        default=None, ge=0, le=3600, description="Overrides the service's debounce window"
    )
    max_crl_age_seconds: int | None = Field(
        default=None,
        ge=1,
        description="A stricter maximum revocation-list age than the service's (never looser)",
    )


class SyncSection(BaseModel):
    model_config = _STRICT

    heartbeat_seconds: float = Field(
        default=15.0, gt=0, le=50, description="Heartbeat and poll fallback for the change feed"
    )
    upload_batch_size: int = Field(default=500, ge=1, le=1000)
    request_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    max_backoff_seconds: float = Field(default=15.0, ge=0.1, le=60)


class CounterSection(BaseModel):
    """A service counter's citizen desk (docs/citizen-counter.md): a second PC/SC reader
    for the citizen's chip ID card and the clerk's local screen."""

    model_config = _STRICT

    citizen_reader: str | None = Field(
        default=None,
        min_length=1,
        description="The PC/SC reader for citizens' chip ID cards; unset: no citizen desk",
    )
    screen_port: int = Field(
        default=8765, ge=0, le=65535, description="The counter screen on 127.0.0.1 (0: any)"
    )
    citizen_data_seconds: float = Field(
        default=900,
        gt=0,
        le=4 * 3600,
        description="Name, photo and number are dropped this long after the read at the latest",
    )
    csca_refresh_seconds: float = Field(default=3600, ge=10, le=86400)
    default_legal_basis: LegalBasis | None = Field(
        default=None, description="Preselected on the screen; unset: the clerk picks each time"
    )


class ReaderSettings(BaseModel):
    model_config = _STRICT

    service_url: HttpUrl
    data_dir: Path
    trust_roots: list[Path] = Field(
        default_factory=list,
        description="Root certificates (PEM) provisioned out of band; enrolment must match them",
    )
    reader: ReaderSection = Field(default_factory=ReaderSection)
    enrolment: EnrolmentSection = Field(default_factory=EnrolmentSection)
    door: DoorSection = Field(default_factory=DoorSection)
    attendance: AttendanceSection = Field(default_factory=AttendanceSection)
    policy: PolicySection = Field(default_factory=PolicySection)
    sync: SyncSection = Field(default_factory=SyncSection)
    counter: CounterSection = Field(default_factory=CounterSection)

    @model_validator(mode="after")
    def _citizen_reader_is_another_reader(self) -> ReaderSettings:
        # The tap loop watches pcsc_reader and would tap a citizen's card there as a
        # staff card; the citizen's card is read only on the clerk's request.
        if self.counter.citizen_reader == self.reader.pcsc_reader:
            raise ValueError(
                "counter.citizen_reader must be another reader than reader.pcsc_reader"
            )
        return self

    @property
    def base_url(self) -> str:
        """The service URL without a trailing slash."""
        return str(self.service_url).rstrip("/")

    @property
    def local_max_crl_age(self) -> timedelta | None:
        seconds = self.policy.max_crl_age_seconds
        return None if seconds is None else timedelta(seconds=seconds)


def load_settings(path: Path) -> ReaderSettings:
    """Parse and check ``path``; relative paths in it are relative to its directory."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from exc
    try:
        settings = ReaderSettings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise SettingsError(f"{path}: {problems}") from exc
    base = path.resolve().parent
    return settings.model_copy(
        update={
            "data_dir": base / settings.data_dir,
            "trust_roots": [base / root for root in settings.trust_roots],
        }
    )
