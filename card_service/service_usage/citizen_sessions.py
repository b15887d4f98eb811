"""Sessions started by a counter station for a citizen whose chip ID card it read.

The reader's site unit is its counter, and the staff member is whoever signed in there
with their own card. The document number arrives once, is turned into the citizen
reference here and dropped: it is never stored, logged, audited or answered.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit
from card_service.readers.models import Reader
from card_service.service_usage import catalogue, counters
from card_service.service_usage.citizen_ref import CitizenRefKey
from card_service.service_usage.errors import CounterReaderRequiredError, SessionNotFoundError
from card_service.service_usage.evidence import SessionEvidence
from card_service.service_usage.models import CounterSession, ServiceType
from reader_protocol.counter import CitizenSessionStart, CounterStatus, OpenSession
from reader_protocol.enrolment import ReaderMode


def counter_of(session: Session, reader: Reader) -> OrgUnit:
    """The counter a counter reader serves; refuses other readers."""
    if reader.mode is not ReaderMode.COUNTER:
        raise CounterReaderRequiredError(f"reader {reader.id} is a {reader.mode.value} reader")
    counter = session.get(OrgUnit, reader.site_unit_id)
    if counter is None:
        raise CounterReaderRequiredError(f"reader {reader.id} has no site")
    counters.centre_of(session, counter)  # refuses a site that is not a centre's counter
    return counter


def start(
    session: Session,
    reader: Reader,
    request: CitizenSessionStart,
    *,
    refs: CitizenRefKey,
    now: datetime,
) -> tuple[CounterSession, ServiceType]:
    """Start the session; returns it and the service given."""
    counter = counter_of(session, reader)
    service = catalogue.service_by_code(session, request.service_code)
    document = request.document
    citizen_ref = None
    if document is not None and document.document_number is not None:
        citizen_ref = refs.reference(document.issuing_state, document.document_number)
    evidence = SessionEvidence(
        legal_basis=request.legal_basis,
        consent_given_at=request.consent_given_at,
        manual_check=request.manual_check,
        document_type=document.document_type if document is not None else None,
        verdict=document.verdict if document is not None else None,
    )
    visit = counters.start_session(
        session,
        counter=counter,
        service=service,
        citizen_ref=citizen_ref,
        now=now,
        evidence=evidence,
    )
    return visit, service


def end(
    session: Session, reader: Reader, session_id: uuid.UUID, *, now: datetime
) -> CounterSession:
    """End a session at this reader's counter (another counter's looks absent)."""
    counter = counter_of(session, reader)
    visit = session.get(CounterSession, session_id)
    if visit is None or visit.counter_unit_id != counter.id:
        raise SessionNotFoundError(f"no counter session {session_id} at this counter")
    return counters.end_session(session, visit, now=now)


def status(session: Session, reader: Reader) -> CounterStatus:
    counter = counter_of(session, reader)
    signed_in = counters.open_sign_in(session, counter)
    staff = session.get(Holder, signed_in.staff_holder_id) if signed_in is not None else None
    visit = counters.open_session(session, counter)
    opened = None
    if visit is not None:
        service = catalogue.service_by_id(session, visit.service_id)
        opened = OpenSession(
            session_id=visit.id, service_code=service.code, started_at=visit.started_at
        )
    return CounterStatus(
        counter_unit_id=counter.id,
        counter_name=counter.name,
        staff_holder_id=staff.id if staff is not None else None,
        staff_name=staff.full_name if staff is not None else None,
        open_session=opened,
    )
