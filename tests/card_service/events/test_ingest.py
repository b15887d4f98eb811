"""Ingest: each event stored once, every id answered, refusals precise, offsets recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from card_service.attendance.models import AttendanceDay
from card_service.attendance.rollup import ensure_computed
from card_service.events.errors import ReaderNotActiveError
from card_service.events.models import TapEvent
from card_service.events.service import ingest_batch
from card_service.holders.models import Holder
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from card_service.readers.models import ReaderState
from reader_protocol.events import RefusalCode, TapKind
from tests.card_service.events.factories import (
    batch,
    make_card,
    make_holder,
    make_reader,
    tap,
    uuid7,
)

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 08:00 in Huế


@pytest.fixture
def site(session):
    unit = create_unit(session, kind=UnitKind.AGENCY, code="SNV-I", name="Sở Nội vụ")
    reader = make_reader(session, unit)
    holder = make_holder(session, unit, "Nguyễn Văn An", "NV001")
    card = make_card(session, holder)
    return reader, holder, card


def _count(session):
    return session.scalar(select(func.count()).select_from(TapEvent))


def test_a_batch_is_stored_with_receive_time_and_clock_offset(session, site) -> None:
    reader, holder, card = site
    events = [tap(NOW - timedelta(minutes=m), holder=holder, card=card) for m in (30, 20, 10)]
    sent = NOW + timedelta(minutes=10)  # the reader's clock runs 10 minutes ahead

    result = ingest_batch(session, reader, batch(events, sent_at=sent), now=NOW)

    assert result.stored == [e.id for e in events]
    assert result.duplicates == []
    assert result.refused == []
    assert result.clock_offset_ms == 600_000
    assert result.received_at == NOW
    rows = session.scalars(select(TapEvent).order_by(TapEvent.occurred_at)).all()
    assert [(r.id, r.occurred_at, r.reader_id, r.received_at, r.clock_offset_ms) for r in rows] == [
        (e.id, e.occurred_at, reader.id, NOW, 600_000) for e in events
    ]


def test_resending_stores_nothing_twice_even_interleaved_with_new_events(session, site) -> None:
    reader, holder, card = site
    first = [tap(NOW - timedelta(minutes=m), holder=holder, card=card) for m in range(10, 0, -1)]
    ingest_batch(session, reader, batch(first, sent_at=NOW), now=NOW)

    new = [tap(NOW + timedelta(minutes=m), holder=holder, card=card) for m in range(1, 6)]
    mixed = [event for pair in zip(first[::2], new, strict=True) for event in pair]
    result = ingest_batch(session, reader, batch(mixed, sent_at=NOW), now=NOW)

    assert result.stored == [e.id for e in new]
    assert result.duplicates == [e.id for e in first[::2]]
    assert result.refused == []
    assert _count(session) == 15


def test_bad_events_are_refused_one_by_one_and_good_ones_kept(session, site) -> None:
    reader, holder, card = site
    good = tap(NOW, holder=holder, card=card)
    random_id = tap(NOW, holder=holder).model_copy(update={"id": uuid.UUID(int=5)})
    not_v7 = tap(NOW, holder=holder).model_copy(update={"id": uuid.uuid4()})
    wrong_time = tap(NOW, holder=holder).model_copy(
        update={"occurred_at": NOW + timedelta(seconds=1)}
    )
    unknown_card = tap(NOW, holder=holder).model_copy(update={"card_id": uuid.uuid4()})
    unknown_holder = tap(NOW).model_copy(update={"holder_id": uuid.uuid4()})
    shared = uuid7(NOW)
    twin_a = tap(NOW, holder=holder, event_id=shared, seq=1)
    twin_b = tap(NOW, holder=holder, event_id=shared, seq=2)
    same_twice = tap(NOW, holder=holder)
    events = [
        good,
        not_v7,
        random_id,
        wrong_time,
        unknown_card,
        unknown_holder,
        twin_a,
        twin_b,
        same_twice,
        same_twice,
    ]

    result = ingest_batch(session, reader, batch(events, sent_at=NOW), now=NOW)

    assert result.stored == [good.id, same_twice.id]
    assert result.duplicates == []
    # One refusal per refused position, in batch order; both twins are refused.
    assert [(r.index, r.id, r.code) for r in result.refused] == [
        (1, not_v7.id, RefusalCode.NOT_UUID7),
        (2, random_id.id, RefusalCode.NOT_UUID7),
        (3, wrong_time.id, RefusalCode.ID_TIME_MISMATCH),
        (4, unknown_card.id, RefusalCode.UNKNOWN_CARD),
        (5, unknown_holder.id, RefusalCode.UNKNOWN_HOLDER),
        (6, shared, RefusalCode.DUPLICATE_IN_BATCH),
        (7, shared, RefusalCode.DUPLICATE_IN_BATCH),
    ]
    assert _count(session) == 2


def test_same_id_with_different_content_is_a_conflicting_duplicate(session, site) -> None:
    reader, holder, card = site
    original = tap(NOW, holder=holder, card=card, seq=7)
    ingest_batch(session, reader, batch([original], sent_at=NOW), now=NOW)
    forged = original.model_copy(update={"kind": TapKind.DOOR})
    again = original
    result = ingest_batch(session, reader, batch([forged], sent_at=NOW), now=NOW)
    assert result.stored == []
    assert result.duplicates == []
    assert [(r.index, r.id, r.code) for r in result.refused] == [
        (0, original.id, RefusalCode.CONFLICTING_DUPLICATE)
    ]
    assert ingest_batch(session, reader, batch([again], sent_at=NOW), now=NOW).duplicates == [
        original.id
    ]
    stored = session.scalars(select(TapEvent)).one()
    assert stored.kind is TapKind.ATTENDANCE


def test_a_missing_holder_is_taken_from_the_card(session, site) -> None:
    reader, holder, card = site
    event = tap(NOW, card=card)
    ingest_batch(session, reader, batch([event], sent_at=NOW), now=NOW)
    assert session.scalars(select(TapEvent.holder_id)).one() == holder.id


def test_events_of_long_ago_are_stored_too(session, site) -> None:
    reader, holder, _ = site
    old = tap(datetime(2019, 3, 15, 1, 0, tzinfo=UTC), holder=holder)
    result = ingest_batch(session, reader, batch([old], sent_at=NOW), now=NOW)
    assert result.stored == [old.id]


def test_an_inactive_reader_uploads_nothing(session, site) -> None:
    reader, holder, _ = site
    reader.state = ReaderState.DEREGISTERED
    with pytest.raises(ReaderNotActiveError):
        ingest_batch(session, reader, batch([tap(NOW, holder=holder)], sent_at=NOW), now=NOW)


def test_an_empty_batch_is_answered(session, site) -> None:
    reader, _, _ = site
    result = ingest_batch(session, reader, batch([], sent_at=NOW), now=NOW)
    assert (result.stored, result.duplicates, result.refused) == ([], [], [])


def test_a_late_tap_naming_only_a_card_invalidates_its_holders_day(session, site) -> None:
    reader, holder, card = site
    tuesday = date(2026, 11, 17)
    now = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
    scope = select(Holder.id).where(Holder.id == holder.id)
    ensure_computed(session, scope, tuesday, tuesday, now=now)
    assert session.scalar(select(AttendanceDay.status).where(AttendanceDay.day == tuesday))

    late = tap(datetime(2026, 11, 17, 1, 0, tzinfo=UTC), card=card)  # 08:00 in Huế
    result = ingest_batch(session, reader, batch([late], sent_at=now), now=now)

    assert result.stored == [late.id]
    assert session.scalar(select(TapEvent.holder_id)) == holder.id
    days = session.scalars(select(AttendanceDay.day).where(AttendanceDay.day == tuesday)).all()
    assert days == []  # to be computed again, now with the tap


HUE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("real_local", "reader_ahead", "forgotten"),
    [
        # A tap belongs to its day and may end the night shift of the day before.
        (datetime(2026, 11, 17, 23, 50, tzinfo=HUE), timedelta(0), {16, 17}),
        # A reader 10 minutes fast claims 00:05 on the 18th; the offset is applied.
        (datetime(2026, 11, 17, 23, 55, tzinfo=HUE), timedelta(minutes=10), {16, 17}),
        # 20 seconds is network jitter, not applied: the claimed day counts.
        (datetime(2026, 11, 17, 23, 59, 50, tzinfo=HUE), timedelta(seconds=20), {17, 18}),
        # Three hours slow, across midnight the other way.
        (datetime(2026, 11, 18, 1, 0, tzinfo=HUE), timedelta(hours=-3), {17, 18}),
        # Two days off is a broken clock: its claimed time is taken.
        (datetime(2026, 11, 15, 10, 0, tzinfo=HUE), timedelta(days=2), {16, 17}),
    ],
)
def test_an_upload_forgets_the_roll_ups_of_exactly_its_taps_days(
    session, site, real_local, reader_ahead, forgotten
) -> None:
    reader, holder, _ = site
    first, last = date(2026, 11, 10), date(2026, 11, 20)
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    ensure_computed(session, select(Holder.id), first, last, now=now)
    real = real_local.astimezone(UTC)

    event = tap(real + reader_ahead, holder=holder)
    ingest_batch(session, reader, batch([event], sent_at=now + reader_ahead), now=now)

    kept = set(
        session.scalars(select(AttendanceDay.day).where(AttendanceDay.holder_id == holder.id))
    )
    every_day = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    assert {day.day for day in every_day - kept} == forgotten
