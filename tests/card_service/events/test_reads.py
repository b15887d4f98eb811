"""Reading tap events for the console: hourly counts and spikes, and the events
received after a cursor, scoped to the caller's units through the reader's site."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from card_service.auth.principal import Grant, Principal
from card_service.events.errors import InvalidPeriodError
from card_service.events.reads import (
    HourlyTaps,
    TapCursor,
    denied_spikes,
    hourly_counts,
    received_after,
    received_after_in_every_unit,
    visible_to,
)
from card_service.events.service import ingest_batch
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from card_service.users.models import Role
from reader_protocol.events import Decision, TapKind
from tests.card_service.events.factories import batch, make_card, make_holder, make_reader, tap

DAY = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # midnight, 24/11 in Huế
HOUR = timedelta(hours=1)


class Site:
    def __init__(self, session):
        root = create_unit(session, kind=UnitKind.PROVINCE, code="R-HUE", name="Huế")
        self.ours = create_unit(
            session, kind=UnitKind.AGENCY, code="R-SNV", name="Sở Nội vụ", parent=root
        )
        self.theirs = create_unit(
            session, kind=UnitKind.AGENCY, code="R-STP", name="Sở Tư pháp", parent=root
        )
        self.root = root
        self.door = make_reader(session, self.ours)
        self.door.name = "Cổng chính Sở Nội vụ"
        self.other_door = make_reader(session, self.theirs)
        self.holder = make_holder(session, self.theirs, "Lê Thị Lan", "TP001")
        self.card = make_card(session, self.holder)
        session.flush()

    def principal(self, unit, role=Role.ADMIN) -> Principal:
        return Principal(uuid.uuid4(), "viewer", (Grant(role, unit.id, unit.path),))


@pytest.fixture
def site(session):
    return Site(session)


def _ingest(session, reader, events, *, now):
    result = ingest_batch(session, reader, batch(events, sent_at=now), now=now)
    assert len(result.stored) == len(events)


def _taps(site, at, decision, count, **kwargs):
    return [
        tap(
            at + timedelta(seconds=i),
            holder=site.holder,
            card=site.card,
            decision=decision,
            **kwargs,
        )
        for i in range(count)
    ]


def test_hourly_counts_cover_every_hour_of_the_period_in_the_callers_units(session, site):
    eight, nine = DAY + 8 * HOUR, DAY + 9 * HOUR
    _ingest(
        session,
        site.door,
        _taps(site, eight + timedelta(minutes=5), Decision.GRANTED, 3)
        + _taps(site, eight + timedelta(minutes=59), Decision.DENIED, 1)
        + _taps(site, nine, Decision.DENIED, 2),
        now=DAY + 10 * HOUR,
    )
    # Taps at another unit's door, and before the period: not counted.
    _ingest(session, site.other_door, _taps(site, eight, Decision.GRANTED, 7), now=DAY + 10 * HOUR)
    _ingest(session, site.door, _taps(site, DAY - HOUR, Decision.DENIED, 4), now=DAY)

    hours = hourly_counts(
        session, site.principal(site.ours), start=DAY, end=DAY + 10 * HOUR + timedelta(minutes=1)
    )

    assert [h.hour for h in hours] == [DAY + n * HOUR for n in range(11)]
    assert hours[8] == HourlyTaps(eight, granted=3, denied=1)
    assert hours[9] == HourlyTaps(nine, granted=0, denied=2)
    assert sum(h.granted + h.denied for h in hours) == 6
    everywhere = hourly_counts(session, site.principal(site.root), start=DAY, end=DAY + 10 * HOUR)
    assert everywhere[8] == HourlyTaps(eight, granted=10, denied=1)


def test_hourly_counts_need_a_role_that_reads_events(session, site):
    _ingest(session, site.door, _taps(site, DAY + HOUR, Decision.GRANTED, 2), now=DAY + 2 * HOUR)
    hr = site.principal(site.ours, Role.HR)
    hours = hourly_counts(session, hr, start=DAY, end=DAY + 2 * HOUR)
    assert sum(h.granted for h in hours) == 0


def test_hourly_counts_refuse_a_backwards_or_huge_period(session, site):
    principal = site.principal(site.ours)
    with pytest.raises(InvalidPeriodError):
        hourly_counts(session, principal, start=DAY, end=DAY)
    with pytest.raises(InvalidPeriodError):
        hourly_counts(session, principal, start=DAY, end=DAY + timedelta(days=40))


def test_denied_spikes_stand_out_from_the_typical_hour():
    hours = [HourlyTaps(DAY + n * HOUR, 100, 2) for n in range(8)]
    hours.append(HourlyTaps(DAY + 8 * HOUR, 100, 40))
    assert denied_spikes(hours) == [hours[-1]]
    quiet = [HourlyTaps(DAY, 3, 4), HourlyTaps(DAY + HOUR, 3, 0)]
    assert denied_spikes(quiet) == []  # four denials are never a spike
    assert denied_spikes([]) == []


def test_received_after_pages_a_large_upload_exactly_once_in_order(session, site):
    # One upload: every event shares its received_at, so only (received_at, id) orders them.
    events = _taps(site, DAY + 8 * HOUR, Decision.GRANTED, 250)
    _ingest(session, site.door, events, now=DAY + 9 * HOUR)
    principal = site.principal(site.ours)

    seen, cursor = [], None
    first = received_after(session, principal, after=None, limit=100)
    assert len(first) == 100  # the newest hundred, oldest first
    assert [r.cursor for r in first] == sorted(r.cursor for r in first)
    cursor = TapCursor(DAY, uuid.UUID(int=0))  # from before everything
    while page := received_after(session, principal, after=cursor, limit=100):
        seen += page
        cursor = page[-1].cursor
    assert sorted(r.id for r in seen) == sorted(e.id for e in events)
    assert len(seen) == 250
    assert [r.cursor for r in seen] == sorted(r.cursor for r in seen)


def test_received_after_names_reader_holder_and_card_and_is_scoped(session, site):
    _ingest(
        session,
        site.door,
        [tap(DAY + 8 * HOUR, holder=site.holder, card=site.card)],
        now=DAY + 8 * HOUR,
    )
    _ingest(
        session,
        site.other_door,
        [tap(DAY + 8 * HOUR, decision=Decision.DENIED, kind=TapKind.DOOR)],
        now=DAY + 9 * HOUR,
    )

    ours = received_after(session, site.principal(site.ours), after=None, limit=10)
    assert [(r.reader_name, r.holder_name, r.card_serial, r.decision, r.reason) for r in ours] == [
        ("Cổng chính Sở Nội vụ", "Lê Thị Lan", site.card.serial, "granted", "ok")
    ]
    assert ours[0].received_at == DAY + 8 * HOUR
    everything = received_after(session, site.principal(site.root), after=None, limit=10)
    assert [r.decision for r in everything] == ["granted", "denied"]
    assert everything[1].holder_name is None
    assert received_after(session, site.principal(site.ours, Role.HR), after=None, limit=10) == []


def test_received_before_leaves_out_uploads_that_may_still_be_committing(session, site):
    _ingest(session, site.door, _taps(site, DAY, Decision.GRANTED, 1), now=DAY + HOUR)
    _ingest(session, site.door, _taps(site, DAY, Decision.GRANTED, 1), now=DAY + 2 * HOUR)
    found = received_after(
        session, site.principal(site.ours), after=None, limit=10, received_before=DAY + 2 * HOUR
    )
    assert [r.received_at for r in found] == [DAY + HOUR]


def test_the_feed_for_every_unit_is_filtered_per_viewer_with_the_same_rule(session, site):
    _ingest(session, site.door, _taps(site, DAY, Decision.GRANTED, 1), now=DAY + HOUR)
    _ingest(session, site.other_door, _taps(site, DAY, Decision.DENIED, 1), now=DAY + HOUR)
    feed = received_after_in_every_unit(session, after=None, limit=10)
    assert len(feed) == 2
    viewer = site.principal(site.ours)
    visible = [r for r in feed if visible_to(viewer, r)]
    assert visible == received_after(session, viewer, after=None, limit=10)
    assert not any(visible_to(site.principal(site.root, Role.HR), r) for r in feed)


def test_limits_outside_one_to_five_hundred_are_refused(session, site):
    for limit in (0, 501):
        with pytest.raises(InvalidPeriodError):
            received_after_in_every_unit(session, after=None, limit=limit)


def test_a_cursor_survives_its_text_form_and_garbage_is_not_a_cursor():
    cursor = TapCursor(DAY + timedelta(microseconds=1234), uuid.uuid4())
    assert TapCursor.parse(cursor.text) == cursor
    for garbage in (
        "",
        "x",
        "2026-11-24T00:00:00_not-a-uuid",
        f"2026-11-24T00:00:00_{uuid.uuid4()}",
    ):
        assert TapCursor.parse(garbage) is None  # the last one is naive: not ours
