"""Access groups of holders and of doors, weekly schedules, and rules joining them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid


class Schedule(Base):
    """Weekly windows in local time: [{"weekday": 0-6, "start": "07:00", "end": "18:00"}].

    A schedule belongs to ``unit_id``: administrators of that unit (or above) edit it, and
    rules anywhere in that unit's subtree may use it, so a province's "office hours" is
    shared by every agency below it. ``None`` (schedules made before migration 0014 that
    no rule used) is installation-wide: usable everywhere, edited only by an administrator
    whose scope covers every root unit. docs/administration.md has the table.
    """

    __tablename__ = "access_schedules"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    windows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    closed_on_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("org_units.id"), index=True)


class AccessGroup(Base):
    """Holders who share an access right (e.g. "Staff of Sở Nội vụ")."""

    __tablename__ = "access_groups"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("org_units.id"), index=True)


class AccessGroupMember(Base):
    __tablename__ = "access_group_members"
    __table_args__ = (UniqueConstraint("group_id", "holder_id", name="group_holder"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    group_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("access_groups.id", ondelete="CASCADE"), index=True
    )
    holder_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("holders.id", ondelete="CASCADE"), index=True
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # inclusive


class DoorGroup(Base):
    """Readers that share an access right (e.g. "Main entrance, Sở Nội vụ")."""

    __tablename__ = "door_groups"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("org_units.id"), index=True)


class DoorGroupMember(Base):
    __tablename__ = "door_group_members"
    __table_args__ = (UniqueConstraint("door_group_id", "reader_id", name="door_group_reader"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    door_group_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("door_groups.id", ondelete="CASCADE"), index=True
    )
    reader_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("readers.id", ondelete="CASCADE"), index=True
    )


class AccessRule(Base):
    """Members of ``access_group`` may pass readers of ``door_group`` within ``schedule``."""

    __tablename__ = "access_rules"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))
    access_group_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("access_groups.id", ondelete="CASCADE"), index=True
    )
    door_group_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("door_groups.id", ondelete="CASCADE"), index=True
    )
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("access_schedules.id", ondelete="RESTRICT"), index=True
    )


class PolicyState(Base):
    """One row: the version of everything readers are configured from. Any change to
    policy, holders' names or readers bumps it, and readers refetch their config."""

    __tablename__ = "policy_state"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
