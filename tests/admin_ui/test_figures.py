"""The readers' health as the dashboard computes it, and the SVG charts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from admin_ui.charts import Bar, bar_chart
from admin_ui.figures import CrlFacts, reader_health

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
MAX_AGE = timedelta(hours=36)


def _crl(newest=None, signed_at=None) -> CrlFacts:
    return CrlFacts(newest=newest or {}, signed_at=signed_at or {}, max_age=MAX_AGE)


@dataclass
class FakeReader:
    state: Any
    last_heartbeat_at: datetime | None
    crl_numbers: dict[str, Any] | None


def test_a_reader_is_online_only_with_a_recent_heartbeat():
    assert reader_health(FakeReader("active", NOW - timedelta(minutes=1), {}), _crl(), NOW).online
    assert not reader_health(
        FakeReader("active", NOW - timedelta(minutes=6), {}), _crl(), NOW
    ).online
    assert not reader_health(FakeReader("active", None, {}), _crl(), NOW).online
    assert not reader_health(FakeReader("pending", NOW, {}), _crl(), NOW).online


def test_a_reader_behind_the_newest_list_is_stale():
    current = _crl({"ca1": 7})
    assert not reader_health(FakeReader("active", NOW, {"ca1": 7}), current, NOW).stale_crl
    behind = reader_health(FakeReader("active", NOW, {"ca1": 5}), current, NOW)
    assert behind.stale_crl
    assert behind.crl_behind == 2
    assert reader_health(FakeReader("active", NOW, None), current, NOW).crl_behind == 7


def test_the_age_of_a_held_list_is_that_of_the_oldest_one_it_holds():
    signed = {("ca1", 7): NOW - timedelta(hours=2), ("ca2", 3): NOW - timedelta(hours=5)}
    crl = _crl({"ca1": 7, "ca2": 3}, signed)
    health = reader_health(FakeReader("active", NOW, {"ca1": 7, "ca2": 3}), crl, NOW)
    assert health.crl_age == timedelta(hours=5)
    assert not health.stale_crl
    unknown = reader_health(FakeReader("active", NOW, {"ca1": 6}), crl, NOW)
    assert unknown.crl_age is None  # the service has no date for list 6


def test_a_current_list_older_than_the_limit_is_stale_the_reader_refuses_cards():
    crl = _crl({"ca1": 7}, {("ca1", 7): NOW - MAX_AGE - timedelta(minutes=1)})
    health = reader_health(FakeReader("active", NOW, {"ca1": 7}), crl, NOW)
    assert health.crl_behind == 0
    assert health.crl_too_old
    assert health.stale_crl


def test_bar_chart_is_accessible_svg_with_escaped_labels():
    svg = str(bar_chart([Bar("<08h>", (3, 1)), Bar("09h", (0, 0))], title="Lượt & giờ"))
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title>Lượt &amp; giờ</title>" in svg
    assert "&lt;08h&gt;" in svg
    assert "<08h>" not in svg
    assert svg.count("<rect") == 4


def test_a_long_bar_label_is_shortened_with_the_whole_of_it_as_tooltip():
    long_name = "Cấp bản sao trích lục hộ tịch từ sổ gốc"
    bars = [Bar(long_name, (4,)), *(Bar(f"Dịch vụ {n}", (1,)) for n in range(9))]
    svg = str(bar_chart(bars, title="Lượt theo dịch vụ"))
    shown = re.search(r"<title>Cấp bản sao[^<]*</title>([^<]*)</text>", svg)
    assert shown is not None, "the long label has no tooltip"
    assert shown.group(1).endswith("…")
    assert len(shown.group(1)) * 6.5 <= (720 - 36 - 8) / 10  # fits its bar's slot
    assert f"<title>{long_name}</title>" in svg
    assert f"{long_name}: 4" in svg  # the description keeps the whole name
    assert "<title>Dịch vụ 1</title>" not in svg  # short labels stay as they are
