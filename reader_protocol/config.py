"""A reader's offline configuration, compiled and signed by the service.

The reader keeps the signed document on disk and decides from it when the service is
unreachable. Content of the signed document (kind CONFIG_KIND, version CONFIG_VERSION):
"""

from __future__ import annotations

import uuid
from datetime import date, time

from pydantic import AwareDatetime, BaseModel, Field

from reader_protocol.common import STRICT
from reader_protocol.enrolment import ReaderMode

CONFIG_KIND = "hue-ecard/reader-config"
CONFIG_VERSION = 1


class TimeWindow(BaseModel):
    """A weekly window in local time: ``weekday`` 0 = Monday ... 6 = Sunday."""

    model_config = STRICT

    weekday: int = Field(ge=0, le=6)
    start: time
    end: time  # exclusive; end <= start means the window runs past midnight


class RuleMember(BaseModel):
    """A holder in a rule, for the days (local, inclusive) their membership runs."""

    model_config = STRICT

    holder_id: uuid.UUID
    valid_from: date | None = None
    valid_until: date | None = None


class AccessRule(BaseModel):
    """Holders who may pass this reader inside these windows."""

    model_config = STRICT

    name: str
    members: list[RuleMember]
    windows: list[TimeWindow]
    closed_on_holidays: bool = True


class HolderInfo(BaseModel):
    """What the reader shows on its display for a holder."""

    model_config = STRICT

    holder_id: uuid.UUID
    display_name: str


class EmergencyAccess(BaseModel):
    """The door's signed emergency section: holders (guards, first responders) who may
    still pass when the reader's revocation list is older than ``max_crl_age_seconds``,
    for at most ``extra_age_seconds`` more, at any hour. Their card is still fully
    verified against the list the reader holds; only the list's age is waived."""

    model_config = STRICT

    holder_ids: list[uuid.UUID]
    extra_age_seconds: int = Field(ge=0, le=7 * 24 * 3600)


class ReaderConfig(BaseModel):
    model_config = STRICT

    version: int = Field(ge=1, description="Increases with every change for this reader")
    reader_id: uuid.UUID
    mode: ReaderMode
    site_unit_id: uuid.UUID
    location: str
    issued_at: AwareDatetime
    timezone: str = "Asia/Ho_Chi_Minh"
    max_crl_age_seconds: int = Field(ge=60, description="Older trust material: fail closed")
    debounce_seconds: int = Field(ge=0)
    door_release_ms: int = Field(gt=0, le=30_000, description="Relay pulse length")
    rules: list[AccessRule]
    holders: list[HolderInfo]
    holidays: list[date] = Field(description="Days (local) on which holiday rules close doors")
    emergency: EmergencyAccess | None = None
