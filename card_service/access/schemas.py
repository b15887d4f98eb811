"""API shapes of the access policy."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from reader_protocol.config import TimeWindow

Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]


class AccessScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    windows: list[TimeWindow] = Field(min_length=1, max_length=100)
    closed_on_holidays: bool = True
    unit_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "the unit that owns the schedule (rules there and below may use it); "
            "by default the one unit you manage. It cannot change later."
        ),
    )


class AccessScheduleOut(AccessScheduleIn):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: uuid.UUID


class GroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    unit_id: uuid.UUID


class GroupOut(GroupIn):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: uuid.UUID


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holder_id: uuid.UUID
    valid_from: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> MemberIn:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class MemberOut(MemberIn):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class DoorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reader_id: uuid.UUID


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    access_group_id: uuid.UUID
    door_group_id: uuid.UUID
    schedule_id: uuid.UUID


class RuleOut(RuleIn):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: uuid.UUID


class ScheduleQuery(BaseModel):
    """Filters of the schedule list (every one optional; all given must match)."""

    q: str | None = Field(default=None, max_length=100)
    unit_id: uuid.UUID | None = None


class GroupQuery(BaseModel):
    """Filters of the access-group and door-group lists."""

    q: str | None = Field(default=None, max_length=100)
    unit_id: uuid.UUID | None = None


class MemberQuery(BaseModel):
    """Filters of a group's member list."""

    q: str | None = Field(default=None, max_length=100)
    valid_on: date | None = None


class RuleQuery(BaseModel):
    """Filters of the rule list."""

    q: str | None = Field(default=None, max_length=100)
    access_group_id: uuid.UUID | None = None
    door_group_id: uuid.UUID | None = None
    schedule_id: uuid.UUID | None = None


class AccessCheck(BaseModel):
    granted: bool
    reason: str
    rule: str | None
    holder_name: str | None
    policy_version: int
