"""The organisation tree. Every holder, reader and role assignment hangs off a unit."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid, str_enum, utcnow


class UnitKind(enum.StrEnum):
    PROVINCE = "province"
    AGENCY = "agency"
    DEPARTMENT = "department"
    SERVICE_CENTRE = "service_centre"
    COUNTER = "counter"


class OrgUnit(Base):
    """One node of the tree.

    ``path`` is the materialised chain of ids from the root ("/<root>/<child>/.../<self>/"):
    "this unit and everything below it" is then one indexed prefix match on both
    databases, which is how role scopes are checked on every request.
    """

    __tablename__ = "org_units"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index("ix_org_units_path", "path"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID, ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind, name="unit_kind"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every change made through card_service.orgunits.admin; the ETag of a unit.
    version: Mapped[int] = mapped_column(Integer, default=1)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])
