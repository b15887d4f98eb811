"""The readers' health as the dashboard computes it, and the SVG charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from admin_ui.charts import Bar, bar_chart
from admin_ui.figures import reader_health

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@dataclass
class FakeReader:
    state: Any
    last_heartbeat_at: datetime | None
    crl_numbers: dict[str, Any] | None


def test_a_reader_is_online_only_with_a_recent_heartbeat():
    assert reader_health(FakeReader("active", NOW - timedelta(minutes=1), {}), {}, NOW).online
    assert not reader_health(FakeReader("active", NOW - timedelta(minutes=6), {}), {}, NOW).online
    assert not reader_health(FakeReader("active", None, {}), {}, NOW).online
    assert not reader_health(FakeReader("pending", NOW, {}), {}, NOW).online


def test_a_reader_behind_the_newest_list_is_stale():
    current = {"ca1": 7}
    assert not reader_health(FakeReader("active", NOW, {"ca1": 7}), current, NOW).stale_crl
    behind = reader_health(FakeReader("active", NOW, {"ca1": 5}), current, NOW)
    assert behind.stale_crl
    assert behind.crl_behind == 2
    assert reader_health(FakeReader("active", NOW, None), current, NOW).crl_behind == 7


def test_bar_chart_is_accessible_svg_with_escaped_labels():
    svg = str(bar_chart([Bar("<08h>", (3, 1)), Bar("09h", (0, 0))], title="Lượt & giờ"))
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title>Lượt &amp; giờ</title>" in svg
    assert "&lt;08h&gt;" in svg
    assert "<08h>" not in svg
    assert svg.count("<rect") == 4
