"""Statistics per centre, counter, service, hour and day; the open-data export."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from card_service.service_usage import opendata
from card_service.service_usage.statistics import Dimension, summarise, visits
from tests.card_service.service_usage.conftest import MORNING

DAY = date(2026, 3, 2)


def _rows(stats):
    return [(row.key, row.count, row.median_seconds / 60, row.p90_seconds / 60) for row in stats]


def test_counts_medians_and_90th_percentiles(centre, session) -> None:
    # Counter 1: birth registrations of 4, 6, 8, 10, 30 minutes from 08:00.
    start = MORNING
    for minutes in (4, 6, 8, 10, 30):
        centre.serve(0, "HT-KS", start, minutes)
        start += timedelta(minutes=minutes)
    # Counter 2: certified copies of 2 and 3 minutes at 09:10 and 09:20.
    centre.serve(1, "DD-CC", MORNING + timedelta(minutes=70), 2)
    centre.serve(1, "DD-CC", MORNING + timedelta(minutes=80), 3)
    found = visits(session, [centre.centre.id], DAY, DAY)

    assert _rows(summarise(found, [Dimension.SERVICE])) == [
        ({"service": "DD-CC"}, 2, 2.5, 3.0),
        ({"service": "HT-KS"}, 5, 8.0, 30.0),
    ]
    assert _rows(summarise(found, [Dimension.COUNTER, Dimension.HOUR])) == [
        ({"counter": "Q1", "hour": "08"}, 5, 8.0, 30.0),
        ({"counter": "Q2", "hour": "09"}, 2, 2.5, 3.0),
    ]
    assert _rows(summarise(found, [Dimension.CENTRE, Dimension.DAY])) == [
        ({"centre": "TTHCC", "day": "2026-03-02"}, 7, 6.0, 30.0),
    ]
    assert (
        visits(session, [centre.centre.id], DAY + timedelta(days=1), DAY + timedelta(days=1)) == []
    )


def test_open_data_is_anonymised_and_the_same_in_csv_and_json(centre, session) -> None:
    for n in range(6):
        centre.serve(0, "HT-KS", MORNING + timedelta(minutes=10 * n), 5 + n)
    centre.serve(1, "DD-CC", MORNING, 3)  # a single visit: too small to publish
    rows = opendata.open_rows(visits(session, [centre.centre.id], DAY, DAY))

    document = json.loads(opendata.as_json(rows, first=DAY, last=DAY))
    from_csv = list(csv.DictReader(io.StringIO(opendata.as_csv(rows).decode("utf-8-sig"))))

    assert document["rows"] == [
        {
            "ngay": "2026-03-02",
            "ma_trung_tam": "TTHCC",
            "ma_dich_vu": "HT-KS",
            "so_luot": 6,
            "trung_vi_phut": 7.5,
            "p90_phut": 10.0,
        }
    ]
    assert [{k: str(v) for k, v in row.items()} for row in document["rows"]] == from_csv
    assert document["min_count"] == 5
    text = json.dumps(document)
    for private in ("Q1", "ab" * 32, "TT001"):  # counter, citizen reference, staff
        assert private not in text
