"""Every label of the console is translated: the Vietnamese catalogue has a translation
for each message in the code and templates, with the same placeholders, and both
catalogues list exactly the messages the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import admin_ui

PACKAGE = Path(admin_ui.__file__).parent
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _used() -> set[str]:
    keywords = {"_": None, "gettext": None, "N_": None}
    found = extract_from_dir(str(PACKAGE), METHODS, OPTIONS, keywords=keywords)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def _catalogue(locale: str):
    with (PACKAGE / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def test_vietnamese_translates_every_message_with_its_placeholders():
    catalogue = _catalogue("vi")
    used = _used()
    assert used, "no messages extracted: is the extraction configuration right?"
    missing = sorted(m for m in used if m not in catalogue or not catalogue[m].string)
    assert missing == [], f"untranslated in vi: {missing}"
    for message in used:
        translated = catalogue[message].string
        assert set(PLACEHOLDER.findall(message)) == set(PLACEHOLDER.findall(translated)), message
        assert not catalogue[message].fuzzy, message


def test_both_catalogues_list_exactly_the_messages_in_use():
    used = _used()
    for locale in ("vi", "en"):
        listed = {message.id for message in _catalogue(locale) if message.id}
        assert listed == used, (locale, sorted(listed ^ used)[:20])


def test_no_message_has_a_bare_percent_sign():
    # Jinja's newstyle gettext %-formats every message; a lone % would break a page.
    bare = [m for m in _used() if re.search(r"%(?!\(\w+\)s)", m)]
    assert bare == []
