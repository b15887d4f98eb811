"""Anonymised aggregates for the city's open-data portal (CSV and JSON).

Only centre, service and day are published, never counter or staff (a counter on a
given day is one person's performance) nor any citizen reference. A cell with fewer
than ``MIN_COUNT`` sessions is left out, so no small group can be singled out.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date

from card_service.service_usage.statistics import Dimension, StatRow, Visit, summarise

MIN_COUNT = 5
FIELDS = ("ngay", "ma_trung_tam", "ma_dich_vu", "so_luot", "trung_vi_phut", "p90_phut")
LICENCE = "CC BY 4.0"


def open_rows(all_visits: Sequence[Visit]) -> list[dict[str, str | int | float]]:
    rows: list[StatRow] = summarise(
        all_visits, [Dimension.DAY, Dimension.CENTRE, Dimension.SERVICE]
    )
    return [
        {
            "ngay": row.key["day"],
            "ma_trung_tam": row.key["centre"],
            "ma_dich_vu": row.key["service"],
            "so_luot": row.count,
            "trung_vi_phut": round(row.median_seconds / 60, 1),
            "p90_phut": round(row.p90_seconds / 60, 1),
        }
        for row in rows
        if row.count >= MIN_COUNT
    ]


def as_json(rows: list[dict[str, str | int | float]], *, first: date, last: date) -> bytes:
    document = {
        "dataset": "Lượt phục vụ tại Trung tâm Phục vụ hành chính công",
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "licence": LICENCE,
        "min_count": MIN_COUNT,
        "fields": list(FIELDS),
        "rows": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def as_csv(rows: list[dict[str, str | int | float]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
