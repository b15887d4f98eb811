"""DG1: the machine readable zone (tag 61, MRZ in 5F1F), TD1, TD2 or TD3.

The CCCD carries a TD1 MRZ: the document number field holds the last nine digits of
the 12-digit personal identification number, which appears whole in optional data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader_agent.emrtd.errors import LdsFormatError
from reader_agent.emrtd.keys.access import check_digit
from reader_agent.emrtd.lds.common import children, outer
from reader_agent.iso7816.tlv import encode_tlv

TD1, TD2, TD3 = 90, 72, 88
TAG_DG1 = 0x61
TAG_MRZ = 0x5F1F


@dataclass(frozen=True)
class Mrz:
    document_code: str
    issuing_state: str
    document_number: str = field(repr=False)
    date_of_birth: str
    sex: str
    date_of_expiry: str
    nationality: str
    primary_identifier: str = field(repr=False)
    secondary_identifier: str = field(repr=False)
    optional_data: str = field(repr=False)
    check_digits_valid: bool
    raw: str = field(repr=False)


def parse_dg1(unverified: bytes) -> Mrz:
    items = children(outer(unverified, TAG_DG1, "DG1"), "DG1")
    mrz_item = next((item for item in items if item.tag == TAG_MRZ), None)
    if mrz_item is None:
        raise LdsFormatError("DG1 lacks its MRZ (5F1F)")
    try:
        mrz = mrz_item.value.decode("ascii")
    except UnicodeDecodeError as exc:
        raise LdsFormatError("the MRZ is not ASCII") from exc
    if any(not (c.isdigit() or "A" <= c <= "Z" or c == "<") for c in mrz):
        raise LdsFormatError("the MRZ holds characters outside 0-9, A-Z and '<'")
    if len(mrz) == TD1:
        return _td1(mrz)
    if len(mrz) in (TD2, TD3):
        return _td23(mrz, line=len(mrz) // 2)
    raise LdsFormatError(f"an MRZ of {len(mrz)} characters is neither TD1, TD2 nor TD3")


def _names(field_text: str) -> tuple[str, str]:
    primary, _, secondary = field_text.partition("<<")
    return primary.replace("<", " ").strip(), secondary.replace("<", " ").strip()


def _td1(mrz: str) -> Mrz:
    l1, l2, l3 = mrz[:30], mrz[30:60], mrz[60:]
    number, number_cd = l1[5:14], l1[14]
    optional1, dob, dob_cd = l1[15:30], l2[0:6], l2[6]
    doe, doe_cd, optional2, composite = l2[8:14], l2[14], l2[18:29], l2[29]
    composite_input = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
    valid = (
        check_digit(number) == number_cd
        and check_digit(dob) == dob_cd
        and check_digit(doe) == doe_cd
        and check_digit(composite_input) == composite
    )
    primary, secondary = _names(l3)
    return Mrz(
        l1[0:2].rstrip("<"),
        l1[2:5],
        number.rstrip("<"),
        dob,
        l2[7],
        doe,
        l2[15:18],
        primary,
        secondary,
        (optional1 + optional2),
        valid,
        mrz,
    )


def _td23(mrz: str, *, line: int) -> Mrz:
    l1, l2 = mrz[:line], mrz[line:]
    number, number_cd = l2[0:9], l2[9]
    dob, dob_cd, doe, doe_cd = l2[13:19], l2[19], l2[21:27], l2[27]
    optional = l2[28 : line - 2] if line == TD3 // 2 else l2[28 : line - 1]
    valid = (
        check_digit(number) == number_cd
        and check_digit(dob) == dob_cd
        and check_digit(doe) == doe_cd
    )
    primary, secondary = _names(l1[5:])
    return Mrz(
        l1[0:2].rstrip("<"),
        l1[2:5],
        number.rstrip("<"),
        dob,
        l2[20],
        doe,
        l2[10:13],
        primary,
        secondary,
        optional,
        valid,
        mrz,
    )


def td1_mrz(
    *,
    document_code: str,
    issuing_state: str,
    document_number: str,
    optional1: str,
    date_of_birth: str,
    sex: str,
    date_of_expiry: str,
    nationality: str,
    optional2: str,
    primary: str,
    secondary: str,
) -> str:
    """Compose a TD1 MRZ with its check digits (the virtual card's issuer uses it)."""

    def fit(value: str, size: int) -> str:
        value = value.upper().replace(" ", "<")
        if len(value) > size:
            raise ValueError(f"{value!r} longer than {size}")
        return value + "<" * (size - len(value))

    number = fit(document_number, 9)
    l1 = fit(document_code, 2) + issuing_state + number + check_digit(number) + fit(optional1, 15)
    l2_head = date_of_birth + check_digit(date_of_birth) + sex + date_of_expiry
    l2_head += check_digit(date_of_expiry) + nationality + fit(optional2, 11)
    composite = check_digit(l1[5:30] + l2_head[0:7] + l2_head[8:15] + l2_head[18:29])
    l3 = fit(primary.replace(" ", "<") + "<<" + secondary, 30)
    return l1 + l2_head + composite + l3


def encode_dg1(mrz: str) -> bytes:
    return encode_tlv(TAG_DG1, encode_tlv(TAG_MRZ, mrz.encode("ascii")))
