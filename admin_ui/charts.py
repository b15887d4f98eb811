"""Charts drawn on the server as SVG: no chart library, no script, readable when printed.

Every chart is an ``<svg role="img">`` with a title and a text summary of its numbers
(``<desc>``), so a screen reader gets the figures too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_PAD_LEFT, _PAD_BOTTOM, _PAD_TOP = 36, 28, 12
_MAX_LABELS = 24
_CHAR_WIDTH = 6.5  # an average character of the 11px axis text (DejaVu Sans), in px
_MAX_BAR = 96  # a lone bar stays a bar, not a wall


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[float, ...]  # stacked segments, bottom first


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 < value:
        step *= 10
    for multiple in (1, 2, 2.5, 5, 10):
        if value <= step * multiple:
            return step * multiple
    return step * 10


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    series: Sequence[str] = ("bar",),
    width: int = 720,
    height: int = 240,
) -> Markup:
    """A (stacked) bar chart; ``series`` are CSS classes, one per stacked segment."""
    top = _nice_max(max((sum(bar.values) for bar in bars), default=0))
    plot_w = width - _PAD_LEFT - 8
    plot_h = height - _PAD_BOTTOM - _PAD_TOP
    slot = plot_w / max(len(bars), 1)
    label_every = max(1, -(-len(bars) // _MAX_LABELS))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        "<desc>"
        + escape("; ".join(f"{bar.label}: {'+'.join(_num(v) for v in bar.values)}" for bar in bars))
        + "</desc>",
        f'<line class="axis" x1="{_PAD_LEFT}" y1="{_PAD_TOP + plot_h}" x2="{width - 8}" '
        f'y2="{_PAD_TOP + plot_h}"/>',
        f'<text x="{_PAD_LEFT - 4}" y="{_PAD_TOP + 8}" text-anchor="end">{_num(top)}</text>',
        f'<text x="{_PAD_LEFT - 4}" y="{_PAD_TOP + plot_h}" text-anchor="end">0</text>',
    ]
    for index, bar in enumerate(bars):
        bar_w = min(max(slot * 0.7, 1), _MAX_BAR)
        x = _PAD_LEFT + index * slot + (slot - bar_w) / 2
        base = float(_PAD_TOP + plot_h)
        for segment, value in enumerate(bar.values):
            h = plot_h * value / top
            base -= h
            css = series[segment % len(series)]
            parts.append(
                f'<rect class="{escape(css)}" x="{x:.1f}" y="{base:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}"/>'
            )
        if index % label_every == 0:
            parts.append(_axis_label(bar.label, x + bar_w / 2, height - 10, slot * label_every))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def _axis_label(text: str, x: float, y: float, room: float) -> str:
    """A bar's label under it, shortened with "…" when it would run into its neighbour's
    (a service's name is long); the whole label is its tooltip and in the ``<desc>``."""
    fits = max(int(room / _CHAR_WIDTH), 2)
    shown = text if len(text) <= fits else text[: fits - 1].rstrip() + "…"
    tooltip = f"<title>{escape(text)}</title>" if shown != text else ""
    return f'<text x="{x:.1f}" y="{y}" text-anchor="middle">{tooltip}{escape(shown)}</text>'


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
