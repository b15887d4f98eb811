"""Languages of the console: Vietnamese first, English second, through gettext catalogues.

The catalogues are the committed ``admin_ui/locale/<lang>/LC_MESSAGES/messages.po``
files; they are compiled in memory when the console starts, so a fresh clone runs
without a build step and no binary .mo file is kept in git. Message ids are English;
the English catalogue is therefore mostly empty translations (gettext falls back to
the id), and the Vietnamese one must translate every id (a test checks that).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
LANGUAGE_COOKIE = "ecard_lang"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def N_(msgid: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction; it is translated where it is shown."""
    return msgid


@dataclass(frozen=True)
class Msg:
    """A message to translate later, with its named parameters (``%(name)s``)."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, translations: Translations) -> str:
        text = translations.gettext(self.msgid)
        return text % self.params if self.params else text


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    """The compiled catalogue of ``locale`` (read once per process)."""
    po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def locale_of(request: Request) -> str:
    """The language the person chose (a cookie), Vietnamese unless they chose English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def gettext_for(request: Request) -> Translations:
    return translations(locale_of(request))
