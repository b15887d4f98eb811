"""Vietnamese names: kept exactly as typed (NFC), folded for searching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Đ/đ is a letter of its own, not D with a combining mark, so NFD leaves it alone.
_LETTER_MAP = str.maketrans({"đ": "d", "Đ": "d"})


def normalise_name(name: str) -> str:
    """The name as stored: NFC, single spaces, no outer blanks; capitalisation kept."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()


def fold_name(text: str) -> str:
    """Lower-case ASCII without diacritics: "Nguyễn Văn Đức" -> "nguyen van duc"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTER_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()
