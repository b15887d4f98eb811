"""The FASC-N of the CHUID (TIG SCEPACS, as SP 800-73-4 Part 1 section 3.1.2 uses it).

Forty 5-bit characters (4 data bits, least significant first, then an odd parity
bit) packed into 25 bytes. A non-federal issuer (PIV-I) fills agency, system and
credential numbers with nines and identifies the card by the CHUID's GUID instead;
that is what this platform writes (``NON_FEDERAL_FASCN``).
"""

from __future__ import annotations

from dataclasses import dataclass

from reader_agent.errors import MalformedResponseError

FASCN_LENGTH = 25
_CHARACTERS = 40
_BITS = 5
_START_SENTINEL = 0xB
_FIELD_SEPARATOR = 0xD
_END_SENTINEL = 0xF
_DIGIT_MAX = 9


@dataclass(frozen=True)
class Fascn:
    """The FASC-N's fields, each a string of decimal digits of the fixed width."""

    agency_code: str
    system_code: str
    credential_number: str
    credential_series: str
    individual_credential_issue: str
    person_identifier: str
    organizational_category: str
    organizational_identifier: str
    person_association: str

    _WIDTHS = (4, 4, 6, 1, 1, 10, 1, 4, 1)

    def __post_init__(self) -> None:
        for value, width in zip(self._fields(), self._WIDTHS, strict=True):
            if len(value) != width or not value.isdigit() or not value.isascii():
                raise ValueError(f"FASC-N field {value!r} must be {width} digits")

    def _fields(self) -> tuple[str, ...]:
        return (
            self.agency_code,
            self.system_code,
            self.credential_number,
            self.credential_series,
            self.individual_credential_issue,
            self.person_identifier,
            self.organizational_category,
            self.organizational_identifier,
            self.person_association,
        )

    def characters(self) -> list[int]:
        """The 39 characters before the LRC, as 4-bit values."""
        (agency, system, credential, series, issue, person, category, org, association) = [
            [int(digit) for digit in field] for field in self._fields()
        ]
        fs = [_FIELD_SEPARATOR]
        return [
            _START_SENTINEL,
            *agency,
            *fs,
            *system,
            *fs,
            *credential,
            *fs,
            *series,
            *fs,
            *issue,
            *fs,
            *person,
            *category,
            *org,
            *association,
            _END_SENTINEL,
        ]

    def encode(self) -> bytes:
        characters = self.characters()
        lrc = 0
        for character in characters:
            lrc ^= character
        bits = 0
        for character in [*characters, lrc]:
            bits = (bits << _BITS) | _five_bits(character)
        return bits.to_bytes(FASCN_LENGTH, "big")

    @classmethod
    def decode(cls, raw: bytes) -> Fascn:
        """Parse an unverified FASC-N; parity, sentinels and LRC must all be right."""
        if len(raw) != FASCN_LENGTH:
            raise MalformedResponseError(f"a FASC-N has {FASCN_LENGTH} bytes, not {len(raw)}")
        bits = int.from_bytes(raw, "big")
        characters = [
            _four_bits((bits >> (_BITS * (_CHARACTERS - 1 - index))) & 0x1F)
            for index in range(_CHARACTERS)
        ]
        lrc = 0
        for character in characters[:-1]:
            lrc ^= character
        if lrc != characters[-1]:
            raise MalformedResponseError("FASC-N LRC does not match")
        rebuilt = _fields_from(characters[:-1])
        if rebuilt.characters() != characters[:-1]:
            raise MalformedResponseError("FASC-N separators are not where they belong")
        return rebuilt


def _five_bits(value: int) -> int:
    """4 data bits least significant first, then odd parity, as a 5-bit number."""
    reversed_bits = int(f"{value:04b}"[::-1], 2)
    parity = 0 if bin(value).count("1") % 2 else 1
    return (reversed_bits << 1) | parity


def _four_bits(five: int) -> int:
    if bin(five).count("1") % 2 == 0:
        raise MalformedResponseError("FASC-N character fails its parity check")
    return int(f"{five >> 1:04b}"[::-1], 2)


def _fields_from(characters: list[int]) -> Fascn:
    def digits(start: int, width: int) -> str:
        chunk = characters[start : start + width]
        if any(value > _DIGIT_MAX for value in chunk):
            raise MalformedResponseError("FASC-N field holds a non-digit")
        return "".join(str(value) for value in chunk)

    return Fascn(
        agency_code=digits(1, 4),
        system_code=digits(6, 4),
        credential_number=digits(11, 6),
        credential_series=digits(18, 1),
        individual_credential_issue=digits(20, 1),
        person_identifier=digits(22, 10),
        organizational_category=digits(32, 1),
        organizational_identifier=digits(33, 4),
        person_association=digits(37, 1),
    )


# Non-federal issuers (PIV-I, SP 800-73-4 Part 1 section 3.1.2): agency, system and
# credential number all nines, organisational category 3 (commercial), employee. Its
# encoding, D4E739DA...C3EB, is the one PIV-compatible tokens ship with, so middleware
# treats our cards like any other non-federal card.
NON_FEDERAL_FASCN = Fascn(
    agency_code="9999",
    system_code="9999",
    credential_number="999999",
    credential_series="0",
    individual_credential_issue="1",
    person_identifier="0000000000",
    organizational_category="3",
    organizational_identifier="0000",
    person_association="1",
)
