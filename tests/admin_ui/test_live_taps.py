"""The shared live-taps poller, the dashboard's tap figures and the live page, with a
fake TapEventReads (card_service has no tap-event reads yet)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import admin_ui
from admin_ui.jobs import JobRunner
from admin_ui.live import LiveTaps
from admin_ui.ports import HourlyTaps, TapView
from card_service.app import create_app
from tests.admin_ui.conftest import sign_in

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def _view(n: int, path: str = "/") -> TapView:
    return TapView(
        id=uuid.uuid4(),
        occurred_at=T0 + timedelta(seconds=n),
        received_at=T0 + timedelta(seconds=n),
        reader_name=f"Cổng {n}",
        site_path=path,
        holder_name="Ngô Thị Chạm",
        card_serial="HUE-00000-00000",
        kind="door",
        decision="granted" if n % 2 else "denied",
        reason="ok",
    )


def test_one_poller_feeds_every_subscriber_once_each():
    arrivals = [[_view(1), _view(2)], [], [_view(3)]]
    loads: list[datetime | None] = []

    def load(after):
        loads.append(after)
        return arrivals.pop(0) if arrivals else []

    async def scenario():
        live = LiveTaps(load, poll_seconds=0.01)
        first, second = live.subscribe(), live.subscribe()
        got_first = await asyncio.wait_for(anext(first), 1)
        got_second = await asyncio.wait_for(anext(second), 1)
        more = await asyncio.wait_for(anext(first), 1)
        await first.aclose()
        await second.aclose()
        await live.close()
        return got_first, got_second, more

    got_first, got_second, more = asyncio.run(scenario())
    assert [v.reader_name for v in got_first] == ["Cổng 1", "Cổng 2"]
    assert [v.reader_name for v in got_second] == ["Cổng 1", "Cổng 2"]
    assert [v.reader_name for v in more] == ["Cổng 3"]
    assert loads[0] is None
    assert loads[1] == T0 + timedelta(seconds=2)  # the cursor moved on


class FakeTaps:
    def received_after(self, session, *, after, limit):
        return [_view(1)]

    def hourly(self, session, principal, *, start, end):
        base = start
        return [HourlyTaps(base + timedelta(hours=h), 50, 1) for h in range(6)] + [
            HourlyTaps(base + timedelta(hours=6), 50, 30)
        ]


def test_dashboard_and_live_page_with_tap_events(
    database, auth_context, audit_context, pki_context, access_context, clock, app_settings, org
):
    from fastapi.testclient import TestClient

    app = create_app(
        app_settings,
        database=database,
        auth=auth_context,
        audit=audit_context,
        pki=pki_context,
        access=access_context,
        clock=clock,
        background_tasks=False,
    )
    admin_ui.install(app, tap_events=FakeTaps(), jobs=JobRunner(inline=True))
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "auditor")
        dashboard = client.get("/admin/")
        assert 'class="spike"' in dashboard.text
        assert "<svg" in dashboard.text
        live = client.get("/admin/events")
        assert 'data-live="/admin/events/stream"' in live.text


def test_without_tap_events_the_pages_say_so(as_admin):
    assert "data-live" not in as_admin.get("/admin/events").text
    assert as_admin.get("/admin/events/stream").status_code == 404
    assert as_admin.get("/admin/").status_code == 200
