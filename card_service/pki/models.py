"""Issuer keys, trust bundles, revocation entries and the signed CRLs."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from card_service.db.base import UUID, Base, UTCDateTime, str_enum


class IssuerRole(enum.StrEnum):
    ROOT = "root"
    ISSUING = "issuing"


class IssuerKeyStatus(enum.StrEnum):
    TRUSTED = "trusted"
    RETIRED = "retired"
    COMPROMISED = "compromised"


class IssuerKey(Base):
    """A CA key the service knows. ``custody_name`` names it in the key custody
    (file or PKCS#11); the private key itself is never in the database."""

    __tablename__ = "issuer_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[IssuerRole] = mapped_column(str_enum(IssuerRole, name="issuer_role"))
    custody_name: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[IssuerKeyStatus] = mapped_column(
        str_enum(IssuerKeyStatus, name="issuer_key_status")
    )
    status_since: Mapped[datetime] = mapped_column(UTCDateTime)
    current: Mapped[bool] = mapped_column(Boolean, default=False)  # issues new certificates
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TrustBundleRecord(Base):
    __tablename__ = "trust_bundles"

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)


class CrlState(Base):
    """The CRL numbering of one issuing CA. Locked while a revocation is published, so
    numbers are gap-free and each delta lists exactly the changes since its base."""

    __tablename__ = "crl_state"

    issuer_key_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("issuer_keys.key_id"), primary_key=True
    )
    number: Mapped[int] = mapped_column(BigInteger)
    base_number: Mapped[int] = mapped_column(BigInteger)  # the latest complete CRL
    this_update: Mapped[datetime] = mapped_column(UTCDateTime)


class RevocationEntry(Base):
    """A certificate on (or taken off) an issuing CA's list."""

    __tablename__ = "revocation_entries"

    issuer_key_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("issuer_keys.key_id"), primary_key=True
    )
    certificate_serial: Mapped[str] = mapped_column(String(64), primary_key=True)
    card_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("cards.id"), index=True)
    reason: Mapped[int] = mapped_column(Integer)  # RFC 5280 CRLReason
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)  # a hold released
    changed_in: Mapped[int] = mapped_column(BigInteger, index=True)  # CRL number of last change


class CrlDocument(Base):
    """A signed CRL as published: complete (``base_number`` null) or delta."""

    __tablename__ = "crl_documents"

    issuer_key_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("issuer_keys.key_id"), primary_key=True
    )
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    base_number: Mapped[int | None] = mapped_column(BigInteger)
    this_update: Mapped[datetime] = mapped_column(UTCDateTime)
    next_update: Mapped[datetime] = mapped_column(UTCDateTime)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    entries: Mapped[int] = mapped_column(Integer)
