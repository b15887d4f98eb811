"""Bulk import from the files HR keeps: CSV with or without BOM, and XLSX."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from card_service.holders.import_files import XLSX_MEDIA_TYPE

HEADER = ["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Chức vụ", "Email"]


def _csv(rows, *, bom: bool = True, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(client, headers, content, *, dry_run: bool, media_type="text/csv"):
    return client.post(
        "/api/v1/holders/import",
        params={"dry_run": str(dry_run).lower()},
        content=content,
        headers=headers | {"Content-Type": media_type},
    )


GOOD = [
    ["NV001", "Nguyễn Văn An", "SNV", "Chuyên viên", "an@hue.gov.vn"],
    ["NV002", "Trần Thị Bình", "SNV-VP", "", ""],
]


@pytest.mark.parametrize("bom", [True, False])
def test_dry_run_reports_rows_and_saves_nothing(client, org, as_user, bom) -> None:
    headers = as_user("admin")
    report = _import(client, headers, _csv(GOOD, bom=bom), dry_run=True)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["applied"] is False
    assert [(r["row"], r["action"], r["full_name"]) for r in body["rows"]] == [
        (2, "create", "Nguyễn Văn An"),
        (3, "create", "Trần Thị Bình"),
    ]
    assert client.get("/api/v1/holders", headers=headers).json()["total"] == 0


def test_commit_then_reimport_is_idempotent(client, org, as_user) -> None:
    headers = as_user("admin")
    first = _import(client, headers, _csv(GOOD), dry_run=False).json()
    assert first["applied"] is True
    assert first["counts"]["create"] == 2
    again = _import(client, headers, _csv(GOOD), dry_run=False).json()
    assert again["counts"] == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    changed = [[*GOOD[0][:3], "Trưởng phòng", "an@hue.gov.vn"], GOOD[1]]
    third = _import(client, headers, _csv(changed), dry_run=False).json()
    assert [r["action"] for r in third["rows"]] == ["update", "unchanged"]
    holders = client.get("/api/v1/holders", params={"staff_number": "NV001"}, headers=headers)
    assert holders.json()["items"][0]["position"] == "Trưởng phòng"
    assert client.get("/api/v1/holders", headers=headers).json()["total"] == 2


def test_a_file_with_broken_rows_commits_nothing(client, org, as_user) -> None:
    headers = as_user("admin")
    broken = [
        *GOOD,
        ["NV003", "", "SNV", "", ""],  # no name
        ["NV004", "Lê Văn D", "NOPE", "", ""],  # unknown unit
        ["NV005", "Phạm E", "SNV", "", "not-an-email"],
        ["NV001", "Nguyễn Văn An", "SNV", "", ""],  # staff number twice in the file
    ]
    response = _import(client, headers, _csv(broken), dry_run=False)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "import_rejected"
    rows = {r["row"]: r for r in problem["report"]["rows"]}
    assert rows[4]["action"] == "error"
    assert any("full_name" in e for e in rows[4]["errors"])
    assert any("unknown unit" in e for e in rows[5]["errors"])
    assert any("email" in e for e in rows[6]["errors"])
    assert any("more than once" in e for e in rows[7]["errors"])
    assert any("more than once" in e for e in rows[2]["errors"])
    assert client.get("/api/v1/holders", headers=headers).json()["total"] == 0


def test_xlsx_with_numeric_staff_numbers(client, org, as_user) -> None:
    headers = as_user("admin")
    content = _xlsx([[1001, "Võ Thị Hoa", "SNV", "Kế toán", None]])
    body = _import(client, headers, content, dry_run=False, media_type=XLSX_MEDIA_TYPE).json()
    assert body["applied"] is True
    listed = client.get("/api/v1/holders", params={"staff_number": "1001"}, headers=headers)
    assert listed.json()["items"][0]["full_name"] == "Võ Thị Hoa"


def test_semicolon_csv_from_excel(client, org, as_user) -> None:
    body = _import(client, as_user("admin"), _csv(GOOD, delimiter=";"), dry_run=True).json()
    assert body["counts"]["create"] == 2


def test_hr_imports_only_into_its_units(client, org, as_user) -> None:
    rows = [["NV010", "Hồ Văn F", "STP", "", ""]]
    body = _import(client, as_user("hr"), _csv(rows), dry_run=True).json()
    assert body["rows"][0]["action"] == "error"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "import_file_unreadable"),
        ("Tên;Tuổi\nA;1\n".encode(), "import_file_unreadable"),  # no required columns
        ("Mã cán bộ,Họ và tên,Mã đơn vị\n".encode("utf-16"), "import_file_unreadable"),
        (b"PK\x03\x04 not really a zip", "import_file_unreadable"),
    ],
)
def test_unreadable_files(client, org, as_user, content, code) -> None:
    response = _import(client, as_user("admin"), content, dry_run=True)
    assert response.status_code == 422
    assert response.json()["code"] == code
