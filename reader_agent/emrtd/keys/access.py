"""Access keys: what the clerk types or the reader scans to open the chip.

Their ``repr`` never shows the secret (a CAN or MRZ must not reach a log), and their
values are derived into the BAC key seed or the PACE password on demand.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from reader_agent.emrtd.errors import EmrtdError

PACE_PASSWORD_MRZ = 1
PACE_PASSWORD_CAN = 2

_WEIGHTS = (7, 3, 1)


def check_digit(value: str) -> str:
    """ICAO 9303-3 check digit: digits as themselves, A-Z as 10-35, '<' as 0."""
    total = 0
    for index, char in enumerate(value):
        if char.isdigit():
            number = int(char)
        elif "A" <= char <= "Z":
            number = ord(char) - ord("A") + 10
        elif char == "<":
            number = 0
        else:
            raise EmrtdError("MRZ fields hold only 0-9, A-Z and '<'")
        total += number * _WEIGHTS[index % 3]
    return str(total % 10)


@dataclass(frozen=True)
class MrzKey:
    """Document number, date of birth and date of expiry (YYMMDD) from the MRZ."""

    document_number: str = field(repr=False)
    date_of_birth: str = field(repr=False)
    date_of_expiry: str = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.date_of_birth) != 6 or len(self.date_of_expiry) != 6:  # noqa: PLR2004
            raise EmrtdError("MRZ dates are six digits, YYMMDD")
        if not (self.date_of_birth.isdigit() and self.date_of_expiry.isdigit()):
            raise EmrtdError("MRZ dates are six digits, YYMMDD")
        if not self.document_number:
            raise EmrtdError("the document number is empty")

    @property
    def password_reference(self) -> int:
        return PACE_PASSWORD_MRZ

    def mrz_information(self) -> bytes:
        """Document number (padded to 9 with '<'), DOB, DOE, each with its check digit."""
        number = self.document_number.upper()
        number = number + "<" * (9 - len(number)) if len(number) < 9 else number  # noqa: PLR2004
        parts = (number, self.date_of_birth, self.date_of_expiry)
        return "".join(part + check_digit(part) for part in parts).encode("ascii")

    def password(self) -> bytes:
        """The PACE password pi = SHA-1(MRZ information) (ICAO 9303-11 4.4.1)."""
        return hashlib.sha1(self.mrz_information()).digest()  # noqa: S324 - mandated

    def bac_seed(self) -> bytes:
        """The BAC key seed: the first 16 bytes of SHA-1(MRZ information)."""
        return self.password()[:16]

    def __str__(self) -> str:
        return "MrzKey(<hidden>)"


@dataclass(frozen=True)
class CanKey:
    """The Card Access Number printed on the card (six digits on a CCCD)."""

    can: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.can.isdigit() or not 1 <= len(self.can) <= 10:  # noqa: PLR2004
            raise EmrtdError("a CAN is a short string of digits")

    @property
    def password_reference(self) -> int:
        return PACE_PASSWORD_CAN

    def password(self) -> bytes:
        return self.can.encode("ascii")

    def __str__(self) -> str:
        return "CanKey(<hidden>)"


AccessKey = MrzKey | CanKey
