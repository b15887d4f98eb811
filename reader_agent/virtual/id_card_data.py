"""Generated Vietnamese personal data for the virtual citizen ID card (test data only).

Names with diacritics, a 12-digit personal identification number laid out as the
CCCD's (province code, sex-and-century digit, year of birth, six digits), a TD1 MRZ,
DG13 details and a tiny valid JPEG for the face. A seeded ``random.Random`` keeps
a card reproducible; nothing here is cryptographic.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

from reader_agent.emrtd.keys.access import check_digit
from reader_agent.emrtd.lds.dg1 import td1_mrz
from reader_agent.emrtd.lds.dg13 import VietnamDetails

FAMILY = (
    "NGUYỄN",
    "TRẦN",
    "LÊ",
    "PHẠM",
    "HOÀNG",
    "HUỲNH",
    "PHAN",
    "VŨ",
    "VÕ",
    "ĐẶNG",
    "BÙI",
    "ĐỖ",
    "HỒ",
    "NGÔ",
    "DƯƠNG",
    "LÝ",
)
MIDDLE_MALE = ("VĂN", "HỮU", "ĐỨC", "MINH", "QUANG", "CÔNG")
MIDDLE_FEMALE = ("THỊ", "NGỌC", "THANH", "THU", "KIM", "MỸ")
GIVEN_MALE = ("AN", "BÌNH", "DŨNG", "HẢI", "KHOA", "NAM", "QUÂN", "TUẤN", "PHÚC", "LONG")
GIVEN_FEMALE = ("CHÂU", "GIANG", "HÀ", "HƯƠNG", "LAN", "LINH", "MAI", "PHƯƠNG", "THẢO", "VY")
PROVINCES = {
    "046": ("Thành phố Huế", ("Phường Vĩnh Ninh", "Phường Phú Hội", "Phường Thuận Hòa")),
    "001": ("Thành phố Hà Nội", ("Phường Hàng Bạc", "Phường Kim Mã", "Phường Láng Hạ")),
    "079": ("Thành phố Hồ Chí Minh", ("Phường Bến Nghé", "Phường Tân Định", "Phường 12")),
    "048": ("Thành phố Đà Nẵng", ("Phường Hải Châu I", "Phường Thạc Gián")),
    "044": ("Tỉnh Quảng Bình", ("Xã Quảng Phú", "Phường Đồng Phú")),
    "045": ("Tỉnh Quảng Trị", ("Phường 1", "Xã Gio Linh")),
}
STREETS = ("Lê Lợi", "Trần Hưng Đạo", "Hùng Vương", "Nguyễn Huệ", "Điện Biên Phủ", "Lý Thường Kiệt")
MARKS = (
    "Nốt ruồi C:2cm trên trước mày trái",
    "Sẹo chấm C:1cm dưới cằm",
    "Nốt ruồi C:1,5cm dưới sau mép phải",
)


@dataclass(frozen=True)
class Citizen:
    """One generated holder: what the card prints and what its chip holds."""

    id_number: str
    can: str
    full_name: str
    family_name: str
    given_names: str
    sex: str  # "M" or "F"
    date_of_birth: date
    date_of_issue: date
    date_of_expiry: date
    place_of_origin: str
    place_of_residence: str
    identifying_marks: str
    father_name: str
    mother_name: str
    spouse_name: str | None
    old_id_number: str

    def to_json(self) -> dict[str, str | None]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, str | None]) -> Citizen:
        values: dict[str, object] = dict(data)
        for name in ("date_of_birth", "date_of_issue", "date_of_expiry"):
            values[name] = date.fromisoformat(str(data[name]))
        return cls(**values)  # type: ignore[arg-type]

    @property
    def document_number(self) -> str:
        return self.id_number[-9:]

    def mrz(self) -> str:
        return td1_mrz(
            document_code="ID",
            issuing_state="VNM",
            document_number=self.document_number,
            optional1=self.id_number + check_digit(self.id_number),
            date_of_birth=self.date_of_birth.strftime("%y%m%d"),
            sex=self.sex,
            date_of_expiry=self.date_of_expiry.strftime("%y%m%d"),
            nationality="VNM",
            optional2="",
            primary=ascii_mrz(self.family_name),
            secondary=ascii_mrz(self.given_names),
        )

    def details(self) -> VietnamDetails:
        return VietnamDetails(
            id_number=self.id_number,
            full_name=self.full_name,
            date_of_birth=self.date_of_birth.strftime("%d/%m/%Y"),
            sex="Nam" if self.sex == "M" else "Nữ",
            nationality="Việt Nam",
            ethnicity="Kinh",
            religion="Không",
            place_of_origin=self.place_of_origin,
            place_of_residence=self.place_of_residence,
            identifying_marks=self.identifying_marks,
            date_of_issue=self.date_of_issue.strftime("%d/%m/%Y"),
            date_of_expiry=self.date_of_expiry.strftime("%d/%m/%Y"),
            father_name=self.father_name,
            mother_name=self.mother_name,
            spouse_name=self.spouse_name,
            old_id_number=self.old_id_number,
        )


def ascii_mrz(name: str) -> str:
    """Vietnamese names in the MRZ: diacritics dropped, Đ as D (ICAO 9303-3 transliteration)."""
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in plain if not unicodedata.combining(c)).upper()


def _name(rng: random.Random, sex: str) -> tuple[str, str]:
    middle = MIDDLE_MALE if sex == "M" else MIDDLE_FEMALE
    given = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
    return rng.choice(FAMILY), f"{rng.choice(middle)} {rng.choice(given)}"


def _expiry(birth: date, issued: date) -> date:
    # A CCCD is renewed at 25, 40 and 60; one issued after 58 does not expire (we use 2099).
    for age in (25, 40, 60):
        threshold = birth.replace(year=birth.year + age)
        if issued < threshold.replace(year=threshold.year - 2):
            return threshold
    return date(2099, 12, 31)


def generate_citizen(seed: int, *, today: date) -> Citizen:
    rng = random.Random(seed)  # noqa: S311 - test data, not cryptography
    sex = rng.choice("MF")
    birth = date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
    province = rng.choice(sorted(PROVINCES))
    city, wards = PROVINCES[province]
    century_digit = (0 if birth.year < 2000 else 2) + (0 if sex == "M" else 1)  # noqa: PLR2004
    id_number = f"{province}{century_digit}{birth.year % 100:02d}{rng.randrange(10**6):06d}"
    family, given = _name(rng, sex)
    issued = date(today.year - rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
    father_given = _name(rng, "M")[1]
    return Citizen(
        id_number=id_number,
        can=f"{rng.randrange(10**6):06d}",
        full_name=f"{family} {given}",
        family_name=family,
        given_names=given,
        sex=sex,
        date_of_birth=birth,
        date_of_issue=issued,
        date_of_expiry=_expiry(birth, issued),
        place_of_origin=f"{rng.choice(wards)}, {city}",
        place_of_residence=(
            f"{rng.randint(1, 199)} {rng.choice(STREETS)}, {rng.choice(wards)}, {city}"
        ),
        identifying_marks=rng.choice(MARKS),
        father_name=f"{family} {father_given}",
        mother_name=" ".join(_name(rng, "F")),
        spouse_name=" ".join(_name(rng, "F" if sex == "M" else "M")) if rng.randrange(2) else None,
        old_id_number=f"{rng.randrange(10**9):09d}",
    )


def placeholder_jpeg() -> bytes:
    """A valid baseline JPEG (one 8x8 grey block) built by hand: no imaging library."""

    def segment(marker: int, body: bytes) -> bytes:
        return bytes((0xFF, marker)) + (len(body) + 2).to_bytes(2, "big") + body

    comment = segment(0xFE, b"virtual CCCD test face")
    quant = segment(0xDB, b"\x00" + b"\x01" * 64)
    frame = segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")
    # One Huffman code of length 1 for DC category 0 and one for AC end-of-block.
    dc = segment(0xC4, b"\x00" + b"\x01" + bytes(15) + b"\x00")
    ac = segment(0xC4, b"\x10" + b"\x01" + bytes(15) + b"\x00")
    scan = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    # Bits: DC code 0, AC EOB 0, then 1-padding: 0b00111111.
    return b"\xff\xd8" + comment + quant + frame + dc + ac + scan + b"\x3f" + b"\xff\xd9"
