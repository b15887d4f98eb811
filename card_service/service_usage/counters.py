"""Staff signing in at counters, and the services they give.

A counter is an org unit of kind ``counter`` under a ``service_centre``. One person
is signed in at a counter at a time (a new sign-in ends the previous one), and a
counter serves one citizen at a time.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.service_usage.errors import (
    CounterBusyError,
    InvalidCitizenRefError,
    NotACounterError,
    NotSignedInError,
    SessionAlreadyEndedError,
    SessionNotFoundError,
)
from card_service.service_usage.evidence import NO_EVIDENCE, SessionEvidence
from card_service.service_usage.models import CounterSession, CounterSignIn, ServiceType

# A keyed hash (HMAC-SHA-256, hex) computed at the counter from the document number.
CITIZEN_REF = re.compile(r"^[0-9a-f]{64}$")


def centre_of(session: Session, counter: OrgUnit) -> OrgUnit:
    """The service centre a counter belongs to; refuses anything that is not a counter."""
    parent = session.get(OrgUnit, counter.parent_id) if counter.parent_id else None
    if counter.kind is not UnitKind.COUNTER or parent is None:
        raise NotACounterError(f"unit {counter.code} is not a counter")
    if parent.kind is not UnitKind.SERVICE_CENTRE:
        raise NotACounterError(f"counter {counter.code} is not under a service centre")
    return parent


def open_sign_in(session: Session, counter: OrgUnit) -> CounterSignIn | None:
    return session.scalar(
        select(CounterSignIn)
        .where(CounterSignIn.counter_unit_id == counter.id, CounterSignIn.signed_out_at.is_(None))
        .order_by(CounterSignIn.signed_in_at.desc())
    )


def sign_in(
    session: Session, *, counter: OrgUnit, staff_id: uuid.UUID, now: datetime
) -> CounterSignIn:
    centre_of(session, counter)
    current = open_sign_in(session, counter)
    if current is not None:
        if current.staff_holder_id == staff_id:
            return current  # a repeated tap of the same card
        current.signed_out_at = now
    sign = CounterSignIn(counter_unit_id=counter.id, staff_holder_id=staff_id, signed_in_at=now)
    session.add(sign)
    session.flush()
    return sign


def sign_out(session: Session, *, counter: OrgUnit, staff_id: uuid.UUID, now: datetime) -> None:
    current = open_sign_in(session, counter)
    if current is not None and current.staff_holder_id == staff_id:
        current.signed_out_at = now
        session.flush()


def start_session(
    session: Session,
    *,
    counter: OrgUnit,
    service: ServiceType,
    citizen_ref: str | None,
    now: datetime,
    evidence: SessionEvidence = NO_EVIDENCE,
) -> CounterSession:
    if citizen_ref is not None and not CITIZEN_REF.fullmatch(citizen_ref):
        raise InvalidCitizenRefError("citizen_ref must be 64 lower-case hex digits")
    evidence.check(now=now)
    centre = centre_of(session, counter)
    signed_in = open_sign_in(session, counter)
    if signed_in is None:
        raise NotSignedInError(f"nobody is signed in at counter {counter.code}")
    busy = open_session(session, counter)
    if busy is not None:
        raise CounterBusyError(f"counter {counter.code} has an open session {busy.id}")
    visit = CounterSession(
        sign_in_id=signed_in.id,
        centre_unit_id=centre.id,
        counter_unit_id=counter.id,
        staff_holder_id=signed_in.staff_holder_id,
        service_id=service.id,
        citizen_ref=citizen_ref,
        started_at=now,
    )
    evidence.apply(visit)
    session.add(visit)
    session.flush()
    return visit


def open_session(session: Session, counter: OrgUnit) -> CounterSession | None:
    """The session the counter is serving now, if any."""
    return session.scalar(
        select(CounterSession)
        .where(CounterSession.counter_unit_id == counter.id, CounterSession.ended_at.is_(None))
        .order_by(CounterSession.started_at.desc())
        .limit(1)
    )


def get_session(session: Session, session_id: uuid.UUID) -> CounterSession:
    visit = session.get(CounterSession, session_id)
    if visit is None:
        raise SessionNotFoundError(f"no counter session {session_id}")
    return visit


def end_session(session: Session, visit: CounterSession, *, now: datetime) -> CounterSession:
    if visit.ended_at is not None:
        raise SessionAlreadyEndedError(f"counter session {visit.id} already ended")
    visit.ended_at = max(now, visit.started_at)
    session.flush()
    return visit


def apply_counter_taps(
    session: Session, counter: OrgUnit, taps: list[tuple[datetime, uuid.UUID, bool]]
) -> None:
    """Sign staff in and out from their card taps at a counter reader: (service time,
    holder, is sign-in), applied in time order."""
    for at, staff_id, signing_in in sorted(taps):
        if signing_in:
            sign_in(session, counter=counter, staff_id=staff_id, now=at)
        else:
            sign_out(session, counter=counter, staff_id=staff_id, now=at)
