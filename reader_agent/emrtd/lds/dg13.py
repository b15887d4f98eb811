"""DG13 of the Vietnamese chip citizen ID card (CCCD): optional personal details.

The layout is proprietary and unpublished. Public readers describe it as tag 6D
holding SEQUENCEs that each start with INTEGER field number, followed by the value
(UTF-8 or printable string), where field 13 holds two names (father, mother). That
reported numbering is used here:

     1 personal identification number    9 place of residence
     2 full name                        10 identifying marks
     3 date of birth (dd/mm/yyyy)       11 date of issue
     4 sex                              12 date of expiry
     5 nationality                      13 father's and mother's names
     6 ethnicity                        14 spouse's name
     7 religion                         15 (unknown; kept raw)
     8 place of origin                  16 old ID number (CMND)

The parser is strict about TLV lengths but tolerant about fields: a missing field is
None, an unknown or repeated one is kept in ``unrecognised``, nested SEQUENCEs are
searched. See docs/emrtd.md for the uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader_agent.emrtd.der import TAG_INTEGER, TAG_SEQUENCE, TAG_SET, decode_integer
from reader_agent.emrtd.errors import LdsFormatError
from reader_agent.emrtd.lds.common import children, outer, text
from reader_agent.iso7816.tlv import Tlv, encode_tlv

TAG_DG13 = 0x6D
TAG_UTF8 = 0x0C
TAG_PRINTABLE = 0x13
TAG_IA5 = 0x16
TAG_OCTETS = 0x04
_STRING_TAGS = (TAG_UTF8, TAG_PRINTABLE, TAG_IA5, TAG_OCTETS)
_MAX_DEPTH = 4

FIELD_NAMES = {
    1: "id_number",
    2: "full_name",
    3: "date_of_birth",
    4: "sex",
    5: "nationality",
    6: "ethnicity",
    7: "religion",
    8: "place_of_origin",
    9: "place_of_residence",
    10: "identifying_marks",
    11: "date_of_issue",
    12: "date_of_expiry",
    14: "spouse_name",
    16: "old_id_number",
}
FIELD_PARENTS = 13


@dataclass(frozen=True)
class VietnamDetails:
    """What DG13 said. Unverified until Passive Authentication checks DG13's hash."""

    id_number: str | None = field(default=None, repr=False)
    full_name: str | None = field(default=None, repr=False)
    date_of_birth: str | None = field(default=None, repr=False)
    sex: str | None = None
    nationality: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    place_of_origin: str | None = field(default=None, repr=False)
    place_of_residence: str | None = field(default=None, repr=False)
    identifying_marks: str | None = field(default=None, repr=False)
    date_of_issue: str | None = None
    date_of_expiry: str | None = None
    father_name: str | None = field(default=None, repr=False)
    mother_name: str | None = field(default=None, repr=False)
    spouse_name: str | None = field(default=None, repr=False)
    old_id_number: str | None = field(default=None, repr=False)
    unrecognised: tuple[int, ...] = ()


def parse_dg13(unverified: bytes) -> VietnamDetails:
    values: dict[str, str] = {}
    unrecognised: list[int] = []
    for number, strings in _items(children(outer(unverified, TAG_DG13, "DG13"), "DG13"), 0):
        if number == FIELD_PARENTS:
            if "father_name" in values:
                unrecognised.append(number)
                continue
            values["father_name"] = strings[0] if strings else ""
            if len(strings) > 1:
                values["mother_name"] = strings[1]
            continue
        name = FIELD_NAMES.get(number)
        if name is None or name in values or not strings:
            unrecognised.append(number)
            continue
        values[name] = strings[0]
    return VietnamDetails(
        **{k: (v or None) for k, v in values.items()}, unrecognised=tuple(unrecognised)
    )


def _items(items: list[Tlv], depth: int) -> list[tuple[int, list[str]]]:
    """Each SEQUENCE that starts with a small INTEGER is one field; others are searched."""
    if depth > _MAX_DEPTH:
        raise LdsFormatError("DG13 is nested too deeply")
    found: list[tuple[int, list[str]]] = []
    for item in items:
        if item.tag not in (TAG_SEQUENCE, TAG_SET):
            continue
        inner = children(item, "DG13 item")
        numbered = inner and inner[0].tag == TAG_INTEGER and len(inner[0].value) <= 2  # noqa: PLR2004
        if numbered and not any(_is_item(child) for child in inner[1:]):
            found.append((decode_integer(inner[0].value), _strings(inner[1:], depth + 1)))
        else:
            # A container (perhaps with a version INTEGER first): its fields are inside.
            found.extend(_items(inner, depth + 1))
    return found


def _is_item(item: Tlv) -> bool:
    if item.tag != TAG_SEQUENCE:
        return False
    inner = children(item, "DG13 item")
    return bool(inner) and inner[0].tag == TAG_INTEGER


def _strings(items: list[Tlv], depth: int) -> list[str]:
    if depth > _MAX_DEPTH:
        raise LdsFormatError("DG13 is nested too deeply")
    out: list[str] = []
    for item in items:
        if item.tag in _STRING_TAGS:
            out.append(text(item.value, "DG13 value").strip())
        elif item.tag in (TAG_SEQUENCE, TAG_SET):
            out.extend(_strings(children(item, "DG13 value"), depth + 1))
    return out


def encode_dg13(details: VietnamDetails) -> bytes:
    """The layout above, as the virtual card writes it."""

    def item(number: int, *strings: str) -> bytes:
        body = encode_tlv(TAG_INTEGER, bytes((number,)))
        body += b"".join(encode_tlv(TAG_UTF8, s.encode("utf-8")) for s in strings)
        return encode_tlv(TAG_SEQUENCE, body)

    parts = []
    for number, name in FIELD_NAMES.items():
        value = getattr(details, name)
        if value is not None:
            parts.append((number, item(number, value)))
    if details.father_name is not None or details.mother_name is not None:
        parents = encode_tlv(
            TAG_SEQUENCE,
            b"".join(
                encode_tlv(TAG_UTF8, (n or "").encode("utf-8"))
                for n in (details.father_name, details.mother_name)
            ),
        )
        parts.append(
            (
                FIELD_PARENTS,
                encode_tlv(
                    TAG_SEQUENCE, encode_tlv(TAG_INTEGER, bytes((FIELD_PARENTS,))) + parents
                ),
            )
        )
    parts.sort()
    body = encode_tlv(TAG_INTEGER, b"\x01") + b"".join(part for _, part in parts)
    return encode_tlv(TAG_DG13, encode_tlv(TAG_SEQUENCE, body))
