"""A service centre with two counters, staff, and a small catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.orgunits.service import create_unit
from card_service.service_usage.catalogue import add_service
from card_service.service_usage.counters import end_session, sign_in, start_session
from card_service.service_usage.models import ServiceType
from tests.card_service.events.factories import make_holder

MORNING = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 08:00 in Huế


@dataclass
class Centre:
    session: Session
    centre: OrgUnit
    counters: list[OrgUnit]
    staff: list[Holder]
    services: dict[str, ServiceType]

    def serve(self, counter: int, service: str, start: datetime, minutes: float) -> None:
        visit = start_session(
            self.session,
            counter=self.counters[counter],
            service=self.services[service],
            citizen_ref="ab" * 32,
            now=start,
        )
        end_session(self.session, visit, now=start + timedelta(minutes=minutes))


@pytest.fixture
def centre(session: Session) -> Centre:
    root = create_unit(session, kind=UnitKind.PROVINCE, code="HUE-SU", name="Huế")
    hub = create_unit(
        session,
        kind=UnitKind.SERVICE_CENTRE,
        code="TTHCC",
        name="Trung tâm Phục vụ hành chính công",
        parent=root,
    )
    counters = [
        create_unit(session, kind=UnitKind.COUNTER, code=f"Q{n}", name=f"Quầy {n}", parent=hub)
        for n in (1, 2)
    ]
    staff = [
        make_holder(session, hub, "Hồ Văn Minh", "TT001"),
        make_holder(session, hub, "Đặng Thị Lan", "TT002"),
    ]
    services = {
        code: add_service(session, code=code, name=name, actor="user:admin", now=MORNING)
        for code, name in [("HT-KS", "Đăng ký khai sinh"), ("DD-CC", "Chứng thực bản sao")]
    }
    for counter, person in zip(counters, staff, strict=True):
        sign_in(session, counter=counter, staff_id=person.id, now=MORNING)
    return Centre(session, hub, counters, staff, services)
