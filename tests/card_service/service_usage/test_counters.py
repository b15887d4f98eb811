"""Counter sessions: who is signed in, one citizen at a time, no raw ID numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from card_service.events.service import ingest_batch
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from card_service.service_usage.counters import (
    end_session,
    open_sign_in,
    sign_in,
    sign_out,
    start_session,
)
from card_service.service_usage.errors import (
    CounterBusyError,
    InvalidCitizenRefError,
    NotACounterError,
    NotSignedInError,
    SessionAlreadyEndedError,
)
from card_service.service_usage.models import CounterSession
from reader_protocol.enrolment import ReaderMode
from reader_protocol.events import TapKind
from tests.card_service.events.factories import batch, make_reader, tap
from tests.card_service.service_usage.conftest import MORNING


def test_a_session_records_staff_service_and_times(centre, session) -> None:
    visit = start_session(
        session,
        counter=centre.counters[0],
        service=centre.services["HT-KS"],
        citizen_ref="0f" * 32,
        now=MORNING + timedelta(minutes=5),
    )
    end_session(session, visit, now=MORNING + timedelta(minutes=17))
    stored = session.scalars(select(CounterSession)).one()
    assert stored.staff_holder_id == centre.staff[0].id
    assert stored.centre_unit_id == centre.centre.id
    assert stored.ended_at - stored.started_at == timedelta(minutes=12)
    with pytest.raises(SessionAlreadyEndedError):
        end_session(session, visit, now=MORNING + timedelta(minutes=20))


@pytest.mark.parametrize("ref", ["079201001234", "AB" * 32, "ab" * 31, "citizen"])
def test_raw_or_malformed_citizen_references_are_refused(centre, session, ref) -> None:
    with pytest.raises(InvalidCitizenRefError):
        start_session(
            session,
            counter=centre.counters[0],
            service=centre.services["HT-KS"],
            citizen_ref=ref,
            now=MORNING,
        )


def test_one_citizen_at_a_time_and_only_when_signed_in(centre, session) -> None:
    start_session(
        session,
        counter=centre.counters[0],
        service=centre.services["HT-KS"],
        citizen_ref=None,
        now=MORNING,
    )
    with pytest.raises(CounterBusyError):
        start_session(
            session,
            counter=centre.counters[0],
            service=centre.services["HT-KS"],
            citizen_ref=None,
            now=MORNING,
        )
    sign_out(session, counter=centre.counters[1], staff_id=centre.staff[1].id, now=MORNING)
    with pytest.raises(NotSignedInError):
        start_session(
            session,
            counter=centre.counters[1],
            service=centre.services["HT-KS"],
            citizen_ref=None,
            now=MORNING,
        )


def test_a_new_sign_in_ends_the_previous_one(centre, session) -> None:
    first = open_sign_in(session, centre.counters[0])
    assert first is not None
    later = MORNING + timedelta(hours=4)
    second = sign_in(session, counter=centre.counters[0], staff_id=centre.staff[1].id, now=later)
    assert first.signed_out_at == later
    assert open_sign_in(session, centre.counters[0]) is second


def test_only_counters_of_a_centre_take_sign_ins(centre, session) -> None:
    with pytest.raises(NotACounterError):
        sign_in(session, counter=centre.centre, staff_id=centre.staff[0].id, now=MORNING)


def test_card_taps_at_a_counter_reader_sign_staff_in_and_out(centre, session) -> None:
    counter = create_unit(
        session, kind=UnitKind.COUNTER, code="Q3", name="Quầy 3", parent=centre.centre
    )
    reader = make_reader(session, counter, mode=ReaderMode.COUNTER)
    at_in, at_out = MORNING + timedelta(minutes=1), MORNING + timedelta(hours=3)
    events = [
        tap(at_in, holder=centre.staff[0], kind=TapKind.COUNTER_SIGN_IN),
        tap(at_out, holder=centre.staff[0], kind=TapKind.COUNTER_SIGN_OUT),
    ]
    ingest_batch(session, reader, batch(events, sent_at=at_out), now=at_out)
    assert open_sign_in(session, counter) is None
    ingest_batch(
        session,
        reader,
        batch(
            [
                tap(
                    at_out + timedelta(minutes=5),
                    holder=centre.staff[1],
                    kind=TapKind.COUNTER_SIGN_IN,
                )
            ],
            sent_at=at_out,
        ),
        now=at_out + timedelta(minutes=6),
    )
    current = open_sign_in(session, counter)
    assert current is not None
    assert current.staff_holder_id == centre.staff[1].id
