"""User accounts and their unit-scoped roles."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid, str_enum, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    HR = "hr"
    COUNTER_STAFF = "counter_staff"
    AUDITOR = "auditor"


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Lock-out is counted per name, in auth.models.SignInFailure (migration 0015 dropped
    # the per-account columns).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The unit whose administrators manage this account (docs/administration.md). None
    # only for accounts made before migration 0014 that held no role.
    unit_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("org_units.id"), index=True)
    # Bumped by every administrative change (name, roles, enabled, password); the ETag.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Loaded only when asked for: the per-request principal comes from one query
    # (card_service.auth.principal.active_principal), not from this relationship.
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class RoleAssignment(Base):
    """A role a user holds over one unit and everything below it."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id", name="user_role_unit"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, name="user_role"))
    unit_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )

    user: Mapped[User] = relationship(back_populates="roles")
