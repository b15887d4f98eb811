"""Reading the holder lists HR keeps: CSV (UTF-8, with or without BOM) or XLSX, with
Vietnamese column headers. Produces plain rows; validation happens in bulk_import."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from card_service.holders.errors import ImportFileUnreadableError
from card_service.holders.names import fold_name

# Header spellings seen in HR files, folded (no diacritics, lower case) -> field.
HEADER_ALIASES: dict[str, str] = {
    "ma can bo": "staff_number",
    "ma cbcc": "staff_number",
    "ma nhan vien": "staff_number",
    "so hieu can bo": "staff_number",
    "staff number": "staff_number",
    "staff_number": "staff_number",
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "full name": "full_name",
    "full_name": "full_name",
    "ma don vi": "unit_code",
    "don vi": "unit_code",
    "unit": "unit_code",
    "unit_code": "unit_code",
    "chuc vu": "position",
    "position": "position",
    "email": "email",
    "thu dien tu": "email",
    "dien thoai": "phone",
    "so dien thoai": "phone",
    "phone": "phone",
}
REQUIRED_FIELDS = ("staff_number", "full_name", "unit_code")
MAX_ROWS = 20_000

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RawRow:
    number: int  # the row number as the spreadsheet shows it (header is row 1)
    values: dict[str, str]


def read_rows(content: bytes, *, media_type: str) -> list[RawRow]:
    if media_type == XLSX_MEDIA_TYPE or content[:2] == b"PK":
        table = _xlsx_table(content)
    else:
        table = _csv_table(content)
    return _rows_from_table(table)


def _csv_table(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileUnreadableError(
            "the CSV file is not UTF-8; save it from Excel as 'CSV UTF-8'"
        ) from exc
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_table(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only imports of XLSX need it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileUnreadableError("the XLSX file cannot be opened") from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # staff numbers typed as numbers come back as 1234.0
    return str(value)


def _rows_from_table(table: list[list[str]]) -> list[RawRow]:
    table = [row for row in table if any(cell.strip() for cell in row)] if table else []
    if not table:
        raise ImportFileUnreadableError("the file has no header row")
    fields = [HEADER_ALIASES.get(fold_name(cell)) for cell in table[0]]
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    if missing:
        raise ImportFileUnreadableError(
            "missing column(s): " + ", ".join(missing) + " (e.g. 'Mã cán bộ', 'Họ và tên', "
            "'Mã đơn vị')"
        )
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileUnreadableError(f"at most {MAX_ROWS} rows per file")
    return list(_data_rows(table, fields))


def _data_rows(table: list[list[str]], fields: list[str | None]) -> Iterable[RawRow]:
    for index, row in enumerate(table[1:], start=2):
        values = {
            field: cell.strip()
            for field, cell in zip(fields, row, strict=False)
            if field is not None and cell.strip()
        }
        yield RawRow(number=index, values=values)
