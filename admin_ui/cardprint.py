"""The printable card: front and back at ID-1 size (85.6 x 54 mm) at 300 dpi.

Front: the issuer, the holder's name, unit and position, a photo box, the card number
and a QR code of the card number. The QR code only identifies the card for look-up at
a counter; it authenticates nothing (a tap does, with the card's key). Back: how to
use the card and what to do if it is found. Rendered with Pillow in DejaVu Sans, which
has every Vietnamese letter; without that font a warning is logged and Pillow's
built-in font is used (diacritics may then be missing).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

DPI = 300
WIDTH, HEIGHT = 1011, 638  # 85.6 x 54.0 mm at 300 dpi
BRAND = (107, 31, 95)
INK = (28, 27, 34)
MUTED = (91, 88, 102)
WHITE = (255, 255, 255)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class CardFace:
    """What is printed; the texts of the back come translated by the caller."""

    issuer: str
    title: str
    full_name: str
    unit_name: str
    position: str
    serial: str
    valid_until: str
    back_title: str
    back_lines: tuple[str, ...]


@lru_cache(maxsize=16)
def _font(size: int, *, bold: bool = False) -> Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return ImageFont.truetype(str(directory / name), size)
    logger.warning("DejaVu Sans not found (install fonts-dejavu-core); using Pillow's font")
    return ImageFont.load_default(size)


def _qr(serial: str, size: int) -> Image.Image:
    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(serial)
    code.make(fit=True)
    image: Image.Image = code.make_image(fill_color="black", back_color="white").get_image()
    return image.convert("RGB").resize((size, size), Image.Resampling.NEAREST)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, size: int, *, bold: bool) -> Font:
    """The largest font up to ``size`` in which ``text`` fits ``width`` pixels."""
    while size > 14:  # noqa: PLR2004 - below this a printed line is unreadable anyway
        font = _font(size, bold=bold)
        if draw.textlength(text, font=font) <= width:
            return font
        size -= 2
    return _font(size, bold=bold)


def front(face: CardFace) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 120), fill=BRAND)
    draw.text((40, 22), face.issuer, font=_fit(draw, face.issuer, 930, 34, bold=True), fill=WHITE)
    draw.text((40, 70), face.title, font=_font(28), fill=WHITE)
    # Photo box (the console stores no photos yet; the photo is glued or printed in).
    draw.rectangle((40, 160, 260, 440), outline=MUTED, width=3)
    draw.text((150, 300), "3 x 4", font=_font(28), fill=MUTED, anchor="mm")
    draw.text(
        (290, 165), face.full_name, font=_fit(draw, face.full_name, 440, 44, bold=True), fill=INK
    )
    draw.text(
        (290, 230), face.unit_name, font=_fit(draw, face.unit_name, 440, 30, bold=False), fill=INK
    )
    draw.text(
        (290, 275), face.position, font=_fit(draw, face.position, 440, 28, bold=False), fill=MUTED
    )
    draw.text((290, 380), face.serial, font=_font(40, bold=True), fill=INK)
    draw.text((290, 435), face.valid_until, font=_font(24), fill=MUTED)
    image.paste(_qr(face.serial, 210), (760, 150))
    draw.rectangle((0, HEIGHT - 40, WIDTH, HEIGHT), fill=BRAND)
    return image


def back(face: CardFace) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 70), fill=BRAND)
    draw.text((40, 16), face.back_title, font=_font(32, bold=True), fill=WHITE)
    y = 100
    for line in face.back_lines:
        font = _fit(draw, line, 930, 26, bold=False)
        draw.text((40, y), line, font=font, fill=INK)
        y += 52
    draw.text((40, HEIGHT - 60), face.serial, font=_font(24), fill=MUTED)
    return image


def png(face: CardFace) -> bytes:
    """Front above back, one image."""
    sheet = Image.new("RGB", (WIDTH, HEIGHT * 2 + 40), WHITE)
    sheet.paste(front(face), (0, 0))
    sheet.paste(back(face), (0, HEIGHT + 40))
    buffer = io.BytesIO()
    sheet.save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def pdf(face: CardFace) -> bytes:
    """Two pages at card size, front then back, for a card printer."""
    buffer = io.BytesIO()
    front(face).save(buffer, "PDF", resolution=DPI, save_all=True, append_images=[back(face)])
    return buffer.getvalue()
