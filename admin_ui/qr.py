"""QR codes drawn as inline SVG (for the enrolment token shown once on screen)."""

from __future__ import annotations

import qrcode  # type: ignore[import-untyped]
import qrcode.image.svg  # type: ignore[import-untyped]
from markupsafe import Markup


def svg(data: str, *, title: str) -> Markup:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    text = image.to_string(encoding="unicode")
    body = text[text.index("<svg") :]  # drop the XML declaration
    # Our own generator's output (a path of squares), not user markup; the title is escaped.
    labelled = body.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(title)}" ', 1)
    return Markup(labelled)  # noqa: S704
