"""The service-centre statistics page: counters and services by name, visits split by
how the citizen's document was checked and by legal basis, distinct citizens and
repeat visits, all in the reader's language; one message when nothing was served."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from card_service.service_usage.catalogue import add_service
from card_service.service_usage.counters import end_session, sign_in, start_session
from card_service.service_usage.evidence import SessionEvidence
from reader_protocol.counter import ChipAuth, LegalBasis, VerdictReason, VerdictSummary
from tests.card_service.events.factories import make_holder

TUESDAY = datetime(2026, 11, 17, 1, 30, tzinfo=UTC)  # 08:30 in Huế, an ordinary Tuesday
CITIZEN = "ab" * 32  # a citizen reference (an HMAC), never a number
ACCEPTED = VerdictSummary(pa_ok=True, chip_auth=ChipAuth.CA, not_expired=True, accepted=True)
REFUSED = VerdictSummary(
    pa_ok=False,
    chip_auth=ChipAuth.NONE,
    not_expired=True,
    accepted=False,
    reasons=[VerdictReason.PASSIVE_AUTHENTICATION_FAILED],
)


@pytest.fixture
def served(org, session):
    """Two counters, two services, four visits on 17 Nov 2026: the same citizen twice
    at counter 1 (chip verified), a refused chip checked by hand and a visit recording
    nothing at counter 2."""
    centre = org.units["centre"]
    counters = [
        create_unit(
            session, kind=UnitKind.COUNTER, code=f"Q0{n}", name=f"Quầy số {n}", parent=centre
        )
        for n in (1, 2)
    ]
    for n, counter in enumerate(counters, start=1):
        clerk = make_holder(session, centre, f"Cán bộ {n}", f"TT00{n}")
        sign_in(session, counter=counter, staff_id=clerk.id, now=TUESDAY)
    birth = add_service(
        session, code="HT-KS", name="Đăng ký khai sinh", actor="user:admin", now=TUESDAY
    )
    copy = add_service(
        session, code="CT-BS", name="Chứng thực bản sao", actor="user:admin", now=TUESDAY
    )
    visits = [
        (0, birth, CITIZEN, SessionEvidence(LegalBasis.LEGAL_OBLIGATION, verdict=ACCEPTED), 10),
        (0, birth, CITIZEN, SessionEvidence(LegalBasis.PUBLIC_TASK, verdict=ACCEPTED), 6),
        (
            1,
            copy,
            None,
            SessionEvidence(
                LegalBasis.CONSENT, consent_given_at=TUESDAY, manual_check=True, verdict=REFUSED
            ),
            4,
        ),
        (1, copy, None, SessionEvidence(), 3),
    ]
    start = TUESDAY
    for index, service, ref, evidence, minutes in visits:
        visit = start_session(
            session,
            counter=counters[index],
            service=service,
            citizen_ref=ref,
            now=start,
            evidence=evidence,
        )
        end_session(session, visit, now=start + timedelta(minutes=minutes))
        start += timedelta(minutes=minutes + 1)
    session.commit()


def _row(html: str, key: str) -> tuple[str, list[str]]:
    """The visible header and figures of the table row for ``key``."""
    found = re.search(
        rf'<tr data-key="{re.escape(key)}"><th scope="row">(.*?)</th>(.*?)</tr>', html
    )
    assert found is not None, f"no row for {key}"
    header = re.sub(r"<[^>]+>", "", found.group(1))
    return header, re.findall(r'<td class="num">([^<]*)</td>', found.group(2))


def test_counters_and_services_are_shown_by_name_with_their_code(as_counter, served):
    page = as_counter.get("/admin/service-centres").text
    assert _row(page, "Q01") == ("Quầy số 1 (Q01)", ["2", "1", "1", "8:00", "10:00"])
    assert _row(page, "Q02") == ("Quầy số 2 (Q02)", ["2", "0", "0", "3:30", "4:00"])
    assert _row(page, "HT-KS")[0] == "Đăng ký khai sinh (HT-KS)"
    assert _row(page, "CT-BS")[0] == "Chứng thực bản sao (CT-BS)"
    assert "Đăng ký khai sinh: 2" in page  # the chart's description names the service too


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "vi",
            {
                "chip_verified": "Chip đã xác thực",
                "chip_refused": "Chip không được xác thực, đã kiểm tra giấy tờ bằng mắt",
                "not_read": "Không đọc chip",
                "legal_obligation": "Nghĩa vụ theo luật định",
                "public_task": "Thực hiện nhiệm vụ công",
                "consent": "Công dân đồng ý",
                "unrecorded": "Không ghi nhận",
            },
        ),
        (
            "en",
            {
                "chip_verified": "Chip verified",
                "chip_refused": "Chip refused, paper checked by hand",
                "not_read": "No chip read",
                "legal_obligation": "Legal obligation",
                "public_task": "Public task",
                "consent": "Consent of the citizen",
                "unrecorded": "Not recorded",
            },
        ),
    ],
)
def test_document_checks_and_legal_bases_in_words(as_counter, served, language, words):
    as_counter.cookies.set("ecard_lang", language, path="/admin")
    page = as_counter.get("/admin/service-centres").text
    for key, text in words.items():
        assert _row(page, key)[0] == text
    assert _row(page, "chip_verified")[1][:3] == ["2", "1", "1"]  # visits, citizens, repeats
    assert _row(page, "chip_refused")[1][:3] == ["1", "0", "0"]


def test_the_overview_counts_citizens_and_repeat_visits(as_counter, served):
    page = as_counter.get("/admin/service-centres").text
    figures = re.findall(r'<div class="figure">([^<]*)</div>', page)
    assert figures == ["4", "1", "1", "5:00"]  # visits, citizens, repeat visits, median


def test_a_period_without_visits_says_so_once(as_counter, served):
    page = as_counter.get("/admin/service-centres?first=2026-10-01&last=2026-10-31").text
    assert page.count("Không có lượt phục vụ nào hoàn thành trong khoảng này.") == 1
    assert "<svg" not in page
    assert 'class="figure"' not in page
