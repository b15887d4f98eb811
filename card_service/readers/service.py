"""Reader use cases: register (with a one-time enrolment token), enrol, heartbeat,
deregister, and the administrators' views."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.auth.principal import Principal
from card_service.orgunits.errors import UnitNotFoundError
from card_service.orgunits.models import OrgUnit
from card_service.pagination import PageParams, paginate
from card_service.readers.errors import (
    EnrolmentRefusedError,
    ReaderNotEnrollableError,
    ReaderNotFoundError,
)
from card_service.readers.models import Reader, ReaderEnrolment, ReaderState
from card_service.readers.schemas import ReaderCreate
from card_service.users.models import Role
from crypto.errors import MalformedInputError
from crypto.keys import load_public_key_der
from reader_protocol.enrolment import EnrolmentRequest
from reader_protocol.status import Heartbeat

MANAGE_ROLES = (Role.ADMIN,)
READ_ROLES = (Role.ADMIN, Role.AUDITOR)
ENROLMENT_TTL = timedelta(hours=24)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "replace")).digest()


def get_reader(
    session: Session,
    principal: Principal,
    reader_id: uuid.UUID,
    *,
    roles: tuple[Role, ...] = READ_ROLES,
    for_update: bool = False,
) -> Reader:
    query = (
        select(Reader)
        .join(OrgUnit, OrgUnit.id == Reader.site_unit_id)
        .where(Reader.id == reader_id, principal.unit_filter(roles))
    )
    reader = session.scalar(query.with_for_update(of=Reader) if for_update else query)
    if reader is None:
        raise ReaderNotFoundError(f"no reader {reader_id}")
    return reader


def list_readers(
    session: Session, principal: Principal, paging: PageParams, *, state: ReaderState | None
) -> tuple[list[Reader], int]:
    query = (
        select(Reader)
        .join(OrgUnit, OrgUnit.id == Reader.site_unit_id)
        .where(principal.unit_filter(READ_ROLES))
        .order_by(Reader.name, Reader.id)
    )
    if state is not None:
        query = query.where(Reader.state == state)
    return paginate(session, query, paging)


def register_reader(
    session: Session, principal: Principal, data: ReaderCreate, *, now: datetime
) -> tuple[Reader, str, datetime]:
    """A pending reader and its one-time enrolment token (returned once, stored hashed)."""
    unit = session.get(OrgUnit, data.site_unit_id)
    if unit is None or not principal.can_reach(unit.path, MANAGE_ROLES):
        raise UnitNotFoundError(f"no organisation unit {data.site_unit_id}")
    reader = Reader(
        name=data.name,
        site_unit_id=unit.id,
        location=data.location,
        mode=data.mode,
        state=ReaderState.PENDING,
        created_at=now,
    )
    session.add(reader)
    session.flush()
    token, expires_at = _new_token(session, reader, actor=principal.actor, now=now)
    record(
        session,
        actor=principal.actor,
        action="reader.registered",
        object_type="reader",
        object_id=reader.id,
        data={"name": reader.name, "site_unit_id": str(unit.id), "mode": reader.mode.value},
        now=now,
    )
    return reader, token, expires_at


def new_enrolment_token(
    session: Session, principal: Principal, reader: Reader, *, now: datetime
) -> tuple[str, datetime]:
    """Another token for a reader still waiting to enrol (the first was lost)."""
    if reader.state is not ReaderState.PENDING:
        raise ReaderNotEnrollableError(f"reader is {reader.state.value}; register a new one")
    token, expires_at = _new_token(session, reader, actor=principal.actor, now=now)
    record(
        session,
        actor=principal.actor,
        action="reader.enrolment_token_issued",
        object_type="reader",
        object_id=reader.id,
        # Never the token: only who asked and until when it works.
        data={"expires_at": expires_at.isoformat()},
        now=now,
    )
    return token, expires_at


def _new_token(
    session: Session, reader: Reader, *, actor: str, now: datetime
) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + ENROLMENT_TTL
    session.add(
        ReaderEnrolment(
            token_hash=_digest(token),
            reader_id=reader.id,
            expires_at=expires_at,
            created_by=actor,
            created_at=now,
        )
    )
    session.flush()
    return token, expires_at


def enrol(session: Session, request: EnrolmentRequest, *, now: datetime) -> Reader:
    """Bind the reader's key, once, if the token is valid for that site and mode."""
    enrolment = session.get(ReaderEnrolment, _digest(request.token), with_for_update=True)
    if enrolment is None or enrolment.used_at is not None or now >= enrolment.expires_at:
        raise EnrolmentRefusedError("the enrolment token is unknown, used or expired")
    reader = session.get(Reader, enrolment.reader_id, with_for_update=True)
    if reader is None or reader.state is not ReaderState.PENDING:
        raise EnrolmentRefusedError("the enrolment token is unknown, used or expired")
    if reader.site_unit_id != request.site_unit_id or reader.mode != request.mode:
        raise EnrolmentRefusedError("the enrolment token is for another site or mode")
    try:
        public_key = load_public_key_der(request.public_key)
    except MalformedInputError as exc:
        raise EnrolmentRefusedError(f"the reader's key is not a P-256 key: {exc}") from exc
    enrolment.used_at = now
    reader.public_key_pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    reader.state = ReaderState.ACTIVE
    reader.agent_version = request.agent_version or None
    session.flush()
    record(
        session,
        actor=f"reader:{reader.id}",
        action="reader.enrolled",
        object_type="reader",
        object_id=reader.id,
        data={"agent_version": request.agent_version},
        now=now,
    )
    return reader


MAX_STORED_OFFSET_MS = 2**31 - 1


def heartbeat(session: Session, reader: Reader, beat: Heartbeat, *, now: datetime) -> int:
    """Record what the reader reports; returns its clock offset (ms, reader - service)."""
    offset = round((beat.sent_at - now).total_seconds() * 1000)
    reader.last_heartbeat_at = now
    reader.queue_depth = beat.queue_depth
    # A 32-bit column: a clock off by more than ~24 days (a dead RTC battery) is stored
    # at the limit, which the dashboard flags all the same; the answer has it all.
    reader.clock_offset_ms = max(-MAX_STORED_OFFSET_MS, min(MAX_STORED_OFFSET_MS, offset))
    reader.crl_numbers = dict(beat.crl_numbers)
    reader.trust_bundle_sequence = beat.trust_bundle_sequence
    reader.config_version = beat.config_version
    reader.failing_closed = beat.failing_closed
    reader.agent_version = beat.agent_version or reader.agent_version
    session.flush()
    return offset


def deregister(session: Session, principal: Principal, reader: Reader, *, now: datetime) -> Reader:
    """Lock the reader out at once: its next request is refused."""
    if reader.state is ReaderState.DEREGISTERED:
        return reader
    reader.state = ReaderState.DEREGISTERED
    reader.deregistered_at = now
    session.flush()
    record(
        session,
        actor=principal.actor,
        action="reader.deregistered",
        object_type="reader",
        object_id=reader.id,
        data={},
        now=now,
    )
    return reader
