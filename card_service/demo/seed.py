"""Seed the demo organisation once. Running it again changes nothing.

Huế has been a centrally governed city (a province-level unit) since 2025; the demo
tree mirrors the reference deployment: two departments of the city with their
offices, and the Public Administration Service Centre with its counters.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.orgunits.service import create_unit
from card_service.users.models import Role
from card_service.users.service import create_user

ROOT_CODE = "HUE"

_AGENCIES = [
    (
        "HUE-SNV",
        "Sở Nội vụ",
        [("HUE-SNV-VP", "Văn phòng Sở"), ("HUE-SNV-CCVC", "Phòng Công chức, viên chức")],
    ),
    (
        "HUE-STP",
        "Sở Tư pháp",
        [("HUE-STP-VP", "Văn phòng Sở"), ("HUE-STP-HCTP", "Phòng Hành chính tư pháp")],
    ),
]
_CENTRE = ("HUE-TTPVHCC", "Trung tâm Phục vụ hành chính công thành phố Huế")
_COUNTERS = [(f"HUE-TTPVHCC-Q{n:02d}", f"Quầy số {n:02d}") for n in (1, 2, 3)]

# (username, display name, role, unit code the role is scoped to)
_USERS = [
    ("admin", "Quản trị hệ thống", Role.ADMIN, ROOT_CODE),
    ("hr.snv", "Nguyễn Thị Hương (Tổ chức cán bộ)", Role.HR, "HUE-SNV"),
    ("counter.q01", "Trần Văn Minh (Quầy 01)", Role.COUNTER_STAFF, "HUE-TTPVHCC"),
    ("auditor", "Lê Thị Thu (Thanh tra)", Role.AUDITOR, ROOT_CODE),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str


def is_seeded(session: Session) -> bool:
    return session.scalar(select(OrgUnit.id).where(OrgUnit.code == ROOT_CODE)) is not None


def seed_demo(session: Session) -> list[DemoAccount]:
    """Create the demo tree and users. Flushes; the caller commits. Returns the accounts."""
    root = create_unit(session, kind=UnitKind.PROVINCE, code=ROOT_CODE, name="Thành phố Huế")
    units = {ROOT_CODE: root}
    for code, name, departments in _AGENCIES:
        agency = create_unit(session, kind=UnitKind.AGENCY, code=code, name=name, parent=root)
        units[code] = agency
        for dept_code, dept_name in departments:
            units[dept_code] = create_unit(
                session, kind=UnitKind.DEPARTMENT, code=dept_code, name=dept_name, parent=agency
            )
    centre = create_unit(
        session, kind=UnitKind.SERVICE_CENTRE, code=_CENTRE[0], name=_CENTRE[1], parent=root
    )
    units[_CENTRE[0]] = centre
    for code, name in _COUNTERS:
        units[code] = create_unit(
            session, kind=UnitKind.COUNTER, code=code, name=name, parent=centre
        )

    accounts = []
    for username, display_name, role, unit_code in _USERS:
        password = secrets.token_urlsafe(12)
        create_user(
            session,
            username=username,
            display_name=display_name,
            password=password,
            roles=[(role, units[unit_code].id)],
        )
        accounts.append(DemoAccount(username=username, password=password, role=role.value))
    return accounts


def save_accounts(path: Path, accounts: list[DemoAccount]) -> None:
    """Keep the generated demo passwords (owner-only file) so later runs can print them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump([asdict(a) for a in accounts], handle, ensure_ascii=False, indent=2)


def load_accounts(path: Path) -> list[DemoAccount]:
    if not path.exists():
        return []
    return [DemoAccount(**item) for item in json.loads(path.read_text(encoding="utf-8"))]
