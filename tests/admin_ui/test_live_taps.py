"""Tap events in the console, read from the database: the dashboard's figures, the live
page's first rows, and the stream fed by the one shared poller of the process."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import pytest

from admin_ui.i18n import translations
from admin_ui.live import LiveTaps
from admin_ui.pages.events import _as_json, _events
from admin_ui.ports import ServiceTapReads, TapCursor, TapRecord
from card_service.auth.principal import Grant, Principal
from card_service.events.reads import visible_to
from card_service.events.service import ingest_batch
from card_service.orgunits.models import OrgUnit
from card_service.users.models import Role, RoleAssignment, User
from reader_protocol.events import Decision
from tests.card_service.conftest import START
from tests.card_service.events.factories import batch, make_card, make_holder, make_reader, tap


def _record(n: int, path: str = "/") -> TapRecord:
    at = START + timedelta(seconds=n)
    return TapRecord(
        id=uuid.UUID(int=n),
        occurred_at=at,
        received_at=at,
        reader_id=uuid.UUID(int=1000),
        reader_name=f"Cổng {n}",
        site_path=path,
        holder_name="Ngô Thị Chạm",
        card_serial="HUE-00000-00000",
        kind="door",
        decision="granted" if n % 2 else "denied",
        reason="ok",
    )


def test_one_poller_feeds_every_subscriber_once_each():
    arrivals = [[_record(1), _record(2)], [], [_record(3)]]
    loads: list[TapCursor | None] = []

    def load(after):
        loads.append(after)
        return arrivals.pop(0) if arrivals else []

    async def scenario():
        live = LiveTaps(load, poll_seconds=0.01)
        first, second = live.subscribe(), live.subscribe()
        got_first = await asyncio.wait_for(anext(first), 1)
        got_second = await asyncio.wait_for(anext(second), 1)
        more = await asyncio.wait_for(anext(first), 1)
        late = live.subscribe(after=_record(2).cursor)  # resumes after what it has shown
        got_late = await asyncio.wait_for(anext(late), 1)
        for subscription in (first, second, late):
            await subscription.aclose()
        await live.close()
        return got_first, got_second, more, got_late

    got_first, got_second, more, got_late = asyncio.run(scenario())
    assert [r.reader_name for r in got_first] == ["Cổng 1", "Cổng 2"]
    assert [r.reader_name for r in got_second] == ["Cổng 1", "Cổng 2"]
    assert [r.reader_name for r in more] == ["Cổng 3"]
    assert [r.reader_name for r in got_late] == ["Cổng 3"]
    assert loads[0] is None
    assert loads[1] == _record(2).cursor  # one cursor, moved on by the one poller


def test_the_poller_stops_when_the_last_subscriber_leaves():
    calls = []

    def load(after):
        calls.append(after)
        return [_record(len(calls))]

    async def scenario():
        live = LiveTaps(load, poll_seconds=0.01)
        subscription = live.subscribe()
        await asyncio.wait_for(anext(subscription), 1)
        await subscription.aclose()
        count = len(calls)
        await asyncio.sleep(0.05)
        return count

    count = asyncio.run(scenario())
    assert len(calls) == count  # nothing polled once nobody watches


@pytest.fixture
def doors(session, org, password_hash, clock, make_client):
    """A door at Sở Nội vụ and one at Sở Tư pháp, a card, and an administrator of Sở Tư
    pháp only (signed in, like the auditor); a morning of taps at both doors, one upload
    each."""
    snv, stp = org.units["snv"], org.units["stp"]
    session.add(
        User(
            username="admin_stp",
            display_name="Quản trị Sở Tư pháp",
            password_hash=password_hash,
            roles=[RoleAssignment(role=Role.ADMIN, unit_id=stp.id)],
        )
    )
    session.commit()
    # Signed in before any reader, card or tap is stored: the app's start-up may add a
    # month's partition to tap_events, whose foreign keys would wait for this test's
    # open transaction to let go of those tables.
    clients = {name: make_client(name) for name in ("auditor", "admin_stp")}
    door = make_reader(session, snv)
    door.name = "Cổng chính Sở Nội vụ"
    other = make_reader(session, stp)
    other.name = "Cổng Sở Tư pháp"
    holder = make_holder(session, snv, "Trần Văn Bình", "NV900")
    card = make_card(session, holder)
    now = clock.now  # 09:00 in Huế
    eight = now - timedelta(hours=1)
    granted = [tap(eight + timedelta(seconds=s), holder=holder, card=card) for s in range(4)]
    # A burst of refusals at 08:xx: the day's only spike.
    denied = [
        tap(eight + timedelta(minutes=30, seconds=s), card=card, decision=Decision.DENIED)
        for s in range(12)
    ]
    ingest_batch(session, door, batch(granted + denied, sent_at=now), now=now)
    ingest_batch(
        session, other, batch([tap(eight, decision=Decision.DENIED)], sent_at=now), now=now
    )
    session.commit()
    return door, other, holder, card, clients


def test_the_dashboard_counts_todays_taps_and_shows_the_spike(doors):
    page = doors[-1]["auditor"].get("/admin/")
    assert page.status_code == 200
    figures = page.text
    assert 'class="figure">17<' in figures  # 4 granted + 12 + 1 denied, every unit
    assert 'class="figure">13<' in figures
    assert 'class="spike"' in figures
    assert "08:00: 13 " in figures  # every unit's refusals in that hour
    assert "<svg" in figures


def test_the_dashboard_counts_only_the_viewers_units(doors):
    page = doors[-1]["admin_stp"].get("/admin/").text
    assert 'class="figure">1<' in page  # the one refusal at its own door
    assert 'class="spike"' not in page


def test_the_live_page_opens_with_the_latest_taps_of_the_viewers_units(doors):
    page = doors[-1]["admin_stp"].get("/admin/events").text
    assert "Cổng Sở Tư pháp" in page
    assert "Cổng chính Sở Nội vụ" not in page
    assert "Từ chối" in page  # the decision, in Vietnamese
    everything = doors[-1]["auditor"].get("/admin/events").text
    assert everything.count("<tr><td>") == 17
    assert "Trần Văn Bình" in everything
    assert "Cho phép" in everything
    assert "Hợp lệ" in everything  # the reason "ok", in words
    assert 'data-live="/admin/events/stream?after=' in everything


def _path(session, reader):
    return session.get(OrgUnit, reader.site_unit_id).path


def test_the_stream_sends_new_taps_the_viewer_may_see_after_its_cursor(doors, session, clock):
    door, other, holder, card, _ = doors
    viewer = Principal(
        uuid.uuid4(), "v", (Grant(Role.ADMIN, door.site_unit_id, _path(session, door)),)
    )
    reads = ServiceTapReads()
    shown = reads.received_after(session, viewer, after=None, limit=50)  # what the page showed
    later = clock.advance(minutes=5)
    ingest_batch(
        session, door, batch([tap(later, holder=holder, card=card)], sent_at=later), now=later
    )
    ingest_batch(
        session, other, batch([tap(later, decision=Decision.DENIED)], sent_at=later), now=later
    )

    def load(after):  # the shared poller's read, here on the test's own session
        return list(reads.feed_after(session, after=after, limit=200, received_before=None))

    async def scenario():
        live = LiveTaps(load, poll_seconds=0.01)
        stream = _events(
            live,
            shown[-1].cursor,
            visible=lambda record: visible_to(viewer, record),
            render=lambda record: _as_json(record, translations("vi"), later),
        )
        chunks = [await asyncio.wait_for(anext(stream), 2) for _ in range(2)]
        await stream.aclose()
        await live.close()
        return chunks

    connected, message = asyncio.run(scenario())
    assert connected == ": connected\n\n"
    lines = message.splitlines()
    assert lines[0].startswith("id: ")
    assert TapCursor.parse(lines[0].removeprefix("id: ")) is not None
    assert lines[1] == "event: taps"
    taps = json.loads(lines[2].removeprefix("data: "))
    assert [(t["reader"], t["holder"], t["decision"]) for t in taps] == [
        ("Cổng chính Sở Nội vụ", "Trần Văn Bình", "granted")
    ]
    assert taps[0]["reason_code"] == "ok"
    assert taps[0]["time"] == "09:05:00"
