"""The catalogue of services (administrative procedures) the centres handle."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.pagination import PageParams, paginate
from card_service.search import name_contains
from card_service.service_usage.errors import ServiceCodeTakenError, ServiceNotFoundError
from card_service.service_usage.models import ServiceType


def add_service(
    session: Session, *, code: str, name: str, actor: str, now: datetime
) -> ServiceType:
    code = code.strip().upper()
    if session.scalar(select(ServiceType.id).where(ServiceType.code == code)) is not None:
        raise ServiceCodeTakenError(f"service code {code!r} is already used")
    service = ServiceType(
        code=code, name=unicodedata.normalize("NFC", name.strip()), active=True, created_at=now
    )
    session.add(service)
    session.flush()
    record(
        session,
        actor=actor,
        action="service_usage.service.added",
        object_type="service",
        object_id=service.id,
        data={"code": service.code, "name": service.name},
        now=now,
    )
    return service


def service_by_code(session: Session, code: str) -> ServiceType:
    service = session.scalar(select(ServiceType).where(ServiceType.code == code.strip().upper()))
    if service is None or not service.active:
        raise ServiceNotFoundError(f"no active service {code!r} in the catalogue")
    return service


def service_by_id(session: Session, service_id: uuid.UUID) -> ServiceType:
    service = session.get(ServiceType, service_id)
    if service is None:
        raise ServiceNotFoundError(f"no service {service_id} in the catalogue")
    return service


def catalogue(session: Session, *, active_only: bool = False) -> list[ServiceType]:
    """The whole catalogue by code (for a counter's list and for naming statistics)."""
    query = select(ServiceType).order_by(ServiceType.code)
    if active_only:
        query = query.where(ServiceType.active.is_(True))
    return list(session.scalars(query))


def list_services(
    session: Session, paging: PageParams, *, q: str | None = None, active: bool | None = None
) -> tuple[list[ServiceType], int]:
    """One page of the catalogue by code, and how many match. ``q`` is part of the
    code or the name (any case, with or without diacritics). The catalogue is
    installation-wide: every centre offers from the same list."""
    query = select(ServiceType).order_by(ServiceType.code)
    if active is not None:
        query = query.where(ServiceType.active.is_(active))
    if q:
        query = name_contains(
            session, query, q, id_column=ServiceType.id, names=(ServiceType.code, ServiceType.name)
        )
    return paginate(session, query, paging)
