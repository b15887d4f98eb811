"""The curated CSCA material: master lists (kept as verified), CSCA certificates (from a
master list or imported one by one with an operator's note) and CSCA CRLs. Public data,
but each entry is a trust decision, so each import is audited and nothing is edited."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, new_uuid


class CscaMasterList(Base):
    """A CSCA master list whose signature verified and whose signer chained to an
    anchor the operator named (crypto.emrtd.load_master_list) when it was imported."""

    __tablename__ = "csca_master_lists"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the DER
    der: Mapped[bytes] = mapped_column(LargeBinary)
    signer_subject: Mapped[str] = mapped_column(String(512))
    signing_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certificate_count: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    imported_by: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CscaCertificate(Base):
    """One trusted CSCA. ``source`` is ``master_list`` or ``certificate`` (a single
    certificate whose fingerprint an operator checked; ``note`` says how)."""

    __tablename__ = "csca_certificates"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    subject: Mapped[str] = mapped_column(String(512))
    country: Mapped[str] = mapped_column(String(2))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))
    master_list_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID, ForeignKey("csca_master_lists.id", ondelete="RESTRICT"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    imported_by: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CscaCrl(Base):
    """A CSCA's revocation list, accepted only when a stored CSCA signed it."""

    __tablename__ = "csca_crls"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    issuer_subject: Mapped[str] = mapped_column(String(512))
    this_update: Mapped[datetime] = mapped_column(UTCDateTime)
    next_update: Mapped[datetime | None] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
