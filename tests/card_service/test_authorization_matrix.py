"""Every role against every endpoint, on objects in and outside the caller's units.

An endpoint missing from MATRIX fails ``test_every_endpoint_is_in_the_matrix``, so new
routes cannot skip this check. Every role is played twice over: administrators and
auditors at the root (every unit) *and* scoped to one agency (``admin_snv``,
``auditor_stp``), HR at two agencies, counter staff at the service centre. Expected:
- a role the endpoint does not admit: 403 (401 for reader-only endpoints);
- an admitted role, object in its units: the route's own function ran (recorded by
  ``handler_calls``; a 401/403/404 from the auth dependencies or a 422 from request
  parsing never reaches it) and answered neither 401/403/404 nor 5xx. A 409 or 422
  raised by the function itself (a name already used, a schedule still in use) counts:
  the authorisation let it through;
- an admitted role, object in another unit: 404, so existence does not leak.
"""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute

from card_service.cards.models import Card, CardState
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from card_service.users.models import Role, RoleAssignment, User
from tests.card_service.cards.certificates import certify
from tests.card_service.conftest import PASSWORD, Org

ROLES = ("admin", "admin_snv", "hr", "hr_other", "counter", "auditor", "auditor_stp")
ALL = frozenset(ROLES)
ADMINS = frozenset({"admin", "admin_snv"})
AUDITORS = frozenset({"auditor", "auditor_stp"})
ADMIN = ADMINS
WRITERS = ADMINS | {"hr", "hr_other"}
AUDIT = ADMINS | AUDITORS
# Which units each fixture user's grant covers (tests/card_service/conftest.py, and
# ``unit_scoped_users`` below for the administrator and auditor of one agency).
SCOPES = {
    "admin": {"snv", "stp", "centre"},
    "auditor": {"snv", "stp", "centre"},
    "admin_snv": {"snv"},
    "auditor_stp": {"stp"},
    "hr": {"snv"},
    "hr_other": {"stp"},
    "counter": {"centre"},
}
PUBLIC = {
    ("post", "/api/v1/auth/sign-in"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/sign-out"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    # Signed trust material is public (CRL distribution points are fetched without auth).
    ("get", "/api/v1/trust/state"),
    ("get", "/api/v1/trust/bundle"),
    ("get", "/api/v1/trust/roots"),
    ("get", "/api/v1/trust/crls/{issuer_key_id}.crl"),
    ("get", "/api/v1/trust/crls/{issuer_key_id}.pem"),
    ("get", "/api/v1/trust/crls/{issuer_key_id}/delta"),
    # Enrolment is authenticated by the one-time token in its body.
    ("post", "/api/v1/reader/enrol"),
}
READERS_ADMIN = ADMINS | AUDITORS
VERIFIERS = ADMINS | {"counter"}
ATTENDANCE_READ = ADMINS | AUDITORS | {"hr", "hr_other"}
STAFF = ADMINS | {"counter"}
STATS = ADMINS | AUDITORS | {"counter"}
NEW_PASSWORD = "a new password, long enough"
CENTRE_ONLY = ("centre",)  # service-usage objects exist only at the service centre


@dataclass(frozen=True)
class Endpoint:
    roles: frozenset[str]
    scoped: bool = False  # the path names an object that lives in a unit
    body: Callable[[Any], Any] | None = None
    reader_only: bool = False
    worlds: tuple[str, ...] = ("snv", "stp", "centre")
    params: dict[str, str] = field(default_factory=dict)
    rename: dict[str, str] = field(default_factory=dict)  # path name -> World id to use
    consumes: bool = False  # a success removes the object: later allowed roles may see 404
    etag_from: str | None = None  # send If-Match with the ETag a GET of this path returns


def _holder_body(world):
    return {
        "staff_number": f"M{uuid.uuid4().hex[:8]}",
        "full_name": "Ma Trận",
        "unit_id": str(world.unit_id),
    }


def _unit_body(world):
    # A department under an agency, a counter under the service centre (orgunits.tree).
    return {
        "parent_id": str(world.unit_id),
        "kind": "counter" if world.unit_key == "centre" else "department",
        "code": f"U{uuid.uuid4().hex[:8]}",
        "name": "Phòng Ma Trận",
    }


def _user_body(world):
    return {
        "username": f"u{uuid.uuid4().hex[:8]}",
        "display_name": "Người Dùng Ma Trận",
        "password": NEW_PASSWORD,
        "unit_id": str(world.unit_id),
        "roles": [{"role": "hr", "unit_id": str(world.unit_id)}],
    }


USER = "/api/v1/users/{user_id}"

MATRIX: dict[tuple[str, str], Endpoint] = {
    ("get", "/api/v1/auth/me"): Endpoint(ALL),
    # One's own password: every role (each fixture user changes it once, from PASSWORD).
    ("post", "/api/v1/auth/password"): Endpoint(
        ALL, body=lambda w: {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    ),
    ("get", "/api/v1/units"): Endpoint(ALL),
    ("post", "/api/v1/units"): Endpoint(ADMIN, scoped=True, body=_unit_body),
    ("get", "/api/v1/units/{unit_id}"): Endpoint(ALL, scoped=True),
    ("patch", "/api/v1/units/{unit_id}"): Endpoint(
        ADMIN, scoped=True, body=lambda w: {"name": f"Đơn vị {uuid.uuid4().hex[:4]}"}
    ),
    # Accounts: administrators manage those of their units; auditors read them.
    ("get", "/api/v1/users"): Endpoint(READERS_ADMIN),
    ("post", "/api/v1/users"): Endpoint(ADMIN, scoped=True, body=_user_body),
    ("get", USER): Endpoint(READERS_ADMIN, scoped=True),
    ("patch", USER): Endpoint(
        ADMIN, scoped=True, body=lambda w: {"display_name": f"Tên {uuid.uuid4().hex[:4]}"}
    ),
    ("post", USER + "/roles"): Endpoint(
        ADMIN,
        scoped=True,
        etag_from=USER,
        body=lambda w: {"role": "counter_staff", "unit_id": str(w.unit_id)},
    ),
    ("delete", USER + "/roles/{grant_id}"): Endpoint(
        ADMIN, scoped=True, etag_from=USER, consumes=True
    ),
    ("post", USER + "/disable"): Endpoint(ADMIN, scoped=True, etag_from=USER),
    ("post", USER + "/enable"): Endpoint(ADMIN, scoped=True, etag_from=USER),
    ("post", USER + "/password"): Endpoint(
        ADMIN, scoped=True, etag_from=USER, body=lambda w: {"password": NEW_PASSWORD}
    ),
    ("get", "/api/v1/holders"): Endpoint(ALL),
    ("post", "/api/v1/holders"): Endpoint(WRITERS, scoped=True, body=_holder_body),
    ("get", "/api/v1/holders/{holder_id}"): Endpoint(ALL, scoped=True),
    ("patch", "/api/v1/holders/{holder_id}"): Endpoint(
        WRITERS, scoped=True, body=lambda w: {"position": "Chuyên viên"}
    ),
    ("post", "/api/v1/holders/{holder_id}/deactivate"): Endpoint(WRITERS, scoped=True),
    ("post", "/api/v1/holders/import"): Endpoint(
        WRITERS, body=lambda w: "Mã cán bộ,Họ và tên,Mã đơn vị\nX1,Tên,SNV\n".encode()
    ),
    ("get", "/api/v1/cards"): Endpoint(ALL),
    ("post", "/api/v1/cards"): Endpoint(
        ADMIN, scoped=True, body=lambda w: {"holder_id": str(w.holder_id)}
    ),
    ("get", "/api/v1/cards/{card_id}"): Endpoint(ALL, scoped=True),
    ("get", "/api/v1/cards/{card_id}/history"): Endpoint(ALL, scoped=True),
    ("post", "/api/v1/cards/{card_id}/suspend"): Endpoint(
        ADMIN, scoped=True, body=lambda w: {"comment": "kiểm tra quyền"}
    ),
    ("post", "/api/v1/cards/{card_id}/resume"): Endpoint(
        ADMIN, scoped=True, body=lambda w: {"comment": "kiểm tra quyền"}
    ),
    ("post", "/api/v1/cards/{card_id}/revoke"): Endpoint(
        ADMIN, scoped=True, body=lambda w: {"reason": "lost", "comment": "kiểm tra quyền"}
    ),
    ("post", "/api/v1/cards/{card_id}/replace"): Endpoint(
        ADMIN, scoped=True, body=lambda w: {"reason": "lost", "comment": "kiểm tra quyền"}
    ),
    ("get", "/api/v1/audit"): Endpoint(AUDIT),
    ("get", "/api/v1/audit/verification"): Endpoint(AUDIT),
    ("post", "/api/v1/events/batches"): Endpoint(
        frozenset(),
        reader_only=True,
        body=lambda w: {"sent_at": "2026-11-24T02:00:00Z", "events": []},
    ),
    # Readers, as administrators see them (scoped by the reader's site).
    ("get", "/api/v1/readers"): Endpoint(READERS_ADMIN),
    ("post", "/api/v1/readers"): Endpoint(
        ADMIN,
        scoped=True,
        body=lambda w: {
            "name": "R",
            "site_unit_id": str(w.unit_id),
            "location": "L",
            "mode": "door",
        },
    ),
    ("get", "/api/v1/readers/{reader_id}"): Endpoint(READERS_ADMIN, scoped=True),
    ("post", "/api/v1/readers/{reader_id}/enrolment-token"): Endpoint(ADMIN, scoped=True),
    ("post", "/api/v1/readers/{reader_id}/deregister"): Endpoint(ADMIN, scoped=True),
    # What readers call with their own signed tokens: a person's token never works.
    ("post", "/api/v1/reader/heartbeat"): Endpoint(
        frozenset(),
        reader_only=True,
        body=lambda w: {"sent_at": "2026-11-24T02:00:00Z", "queue_depth": 0},
    ),
    ("get", "/api/v1/reader/config"): Endpoint(frozenset(), reader_only=True),
    # A citizen at a counter (reader_protocol.counter): counter readers only.
    ("get", "/api/v1/reader/csca"): Endpoint(frozenset(), reader_only=True),
    ("get", "/api/v1/reader/counter/catalogue"): Endpoint(frozenset(), reader_only=True),
    ("get", "/api/v1/reader/counter/status"): Endpoint(frozenset(), reader_only=True),
    ("post", "/api/v1/reader/counter/sessions"): Endpoint(
        frozenset(),
        reader_only=True,
        body=lambda w: {
            "service_code": "DV-MATRIX",
            "legal_basis": "public_task",
            "manual_check": True,
        },
    ),
    ("post", "/api/v1/reader/counter/sessions/{session_id}/end"): Endpoint(
        frozenset(), reader_only=True
    ),
    ("get", "/api/v1/reader/trust-events"): Endpoint(frozenset(), reader_only=True),
    ("post", "/api/v1/issuance/begin"): Endpoint(
        frozenset(), reader_only=True, body=lambda w: {"card_id": str(w.card_id)}
    ),
    ("post", "/api/v1/issuance/{session_id}/certificate"): Endpoint(
        frozenset(), reader_only=True, body=lambda w: {"public_key": "", "signature": ""}
    ),
    ("post", "/api/v1/issuance/{session_id}/activation-challenge"): Endpoint(
        frozenset(), reader_only=True
    ),
    ("post", "/api/v1/issuance/{session_id}/activate"): Endpoint(
        frozenset(), reader_only=True, body=lambda w: {"signature": ""}
    ),
    ("post", "/api/v1/issuance/cards/{card_id}/cancel"): Endpoint(frozenset(), reader_only=True),
    ("post", "/api/v1/issuance/admin/cards/{card_id}/cancel"): Endpoint(ADMIN, scoped=True),
    # Online verification: counter staff and administrators (and readers).
    ("post", "/api/v1/verify/challenges"): Endpoint(VERIFIERS),
    ("post", "/api/v1/verify"): Endpoint(
        VERIFIERS,
        body=lambda w: {"challenge_id": str(uuid.uuid4()), "certificate": "", "signature": ""},
    ),
    # Access policy: administrators change it, auditors read it (access.scope).
    ("get", "/api/v1/access/schedules"): Endpoint(READERS_ADMIN),
    ("post", "/api/v1/access/schedules"): Endpoint(
        ADMIN,
        scoped=True,
        body=lambda w: {
            "name": f"S{uuid.uuid4().hex[:6]}",
            "windows": [{"weekday": 0, "start": "07:00", "end": "17:00"}],
            "unit_id": str(w.unit_id),
        },
    ),
    ("put", "/api/v1/access/schedules/{schedule_id}"): Endpoint(
        ADMIN,
        scoped=True,
        body=lambda w: {
            "name": f"S{uuid.uuid4().hex[:6]}",
            "windows": [{"weekday": 1, "start": "07:00", "end": "17:00"}],
        },
    ),
    # Each world's schedule is used by its rule: 409 schedule_in_use, from the function.
    ("delete", "/api/v1/access/schedules/{schedule_id}"): Endpoint(ADMIN, scoped=True),
    ("get", "/api/v1/access/groups"): Endpoint(READERS_ADMIN),
    ("post", "/api/v1/access/groups"): Endpoint(
        ADMIN,
        scoped=True,
        body=lambda w: {"name": f"G{uuid.uuid4().hex[:6]}", "unit_id": str(w.unit_id)},
    ),
    ("delete", "/api/v1/access/groups/{group_id}"): Endpoint(ADMIN, scoped=True, consumes=True),
    ("get", "/api/v1/access/groups/{group_id}/members"): Endpoint(READERS_ADMIN, scoped=True),
    ("put", "/api/v1/access/groups/{group_id}/members"): Endpoint(
        ADMIN, scoped=True, body=lambda w: {"holder_id": str(w.holder_id)}
    ),
    ("delete", "/api/v1/access/groups/{group_id}/members/{holder_id}"): Endpoint(
        ADMIN, scoped=True
    ),
    ("get", "/api/v1/access/door-groups"): Endpoint(READERS_ADMIN),
    ("post", "/api/v1/access/door-groups"): Endpoint(
        ADMIN,
        scoped=True,
        body=lambda w: {"name": f"D{uuid.uuid4().hex[:6]}", "unit_id": str(w.unit_id)},
    ),
    ("delete", "/api/v1/access/door-groups/{group_id}"): Endpoint(
        ADMIN, scoped=True, rename={"group_id": "door_group_id"}, consumes=True
    ),
    ("put", "/api/v1/access/door-groups/{door_group_id}/doors"): Endpoint(
        ADMIN, scoped=True, body=lambda w: {"reader_id": str(w.reader_id)}
    ),
    ("delete", "/api/v1/access/door-groups/{door_group_id}/doors/{reader_id}"): Endpoint(
        ADMIN, scoped=True
    ),
    ("get", "/api/v1/access/rules"): Endpoint(READERS_ADMIN),
    ("post", "/api/v1/access/rules"): Endpoint(
        ADMIN,
        scoped=True,
        body=lambda w: {
            "name": "R",
            "access_group_id": str(w.group_id),
            "door_group_id": str(w.door_group_id),
            "schedule_id": str(w.schedule_id),
        },
    ),
    ("delete", "/api/v1/access/rules/{rule_id}"): Endpoint(ADMIN, scoped=True, consumes=True),
    ("get", "/api/v1/access/check"): Endpoint(
        READERS_ADMIN,
        scoped=True,
        params={"holder_id": "{holder_id}", "reader_id": "{reader_id}"},
    ),
    # Attendance: HR (and administrators) in their units; auditors read.
    ("get", "/api/v1/attendance/calendar/{year}"): Endpoint(ATTENDANCE_READ),
    ("put", "/api/v1/attendance/calendar/days/{day}"): Endpoint(
        ADMIN,
        scoped=True,
        body=lambda w: {"kind": "holiday", "name": "Nghỉ bù", "unit_id": str(w.unit_id)},
    ),
    ("delete", "/api/v1/attendance/calendar/overrides/{override_id}"): Endpoint(
        ADMIN, scoped=True, consumes=True
    ),
    ("get", "/api/v1/attendance/schedules"): Endpoint(ATTENDANCE_READ),
    ("post", "/api/v1/attendance/schedules"): Endpoint(
        WRITERS,
        body=lambda w: {
            "code": f"C{uuid.uuid4().hex[:6]}",
            "name": "Ca",
            "periods": [{"weekday": 0, "start_minute": 450, "end_minute": 1020}],
        },
    ),
    ("put", "/api/v1/attendance/units/{unit_id}/schedule"): Endpoint(
        WRITERS, scoped=True, body=lambda w: {"schedule_id": str(w.attendance_schedule_id)}
    ),
    ("put", "/api/v1/attendance/holders/{holder_id}/shifts/{day}"): Endpoint(
        WRITERS, scoped=True, body=lambda w: {"schedule_id": str(w.attendance_schedule_id)}
    ),
    ("get", "/api/v1/attendance/units/{unit_id}/timesheet"): Endpoint(
        ATTENDANCE_READ, scoped=True, params={"year": "2026", "month": "11"}
    ),
    ("get", "/api/v1/attendance/units/{unit_id}/timesheet.csv"): Endpoint(
        ATTENDANCE_READ, scoped=True, params={"year": "2026", "month": "11"}
    ),
    ("get", "/api/v1/attendance/units/{unit_id}/timesheet.xlsx"): Endpoint(
        ATTENDANCE_READ, scoped=True, params={"year": "2026", "month": "11"}
    ),
    ("get", "/api/v1/attendance/holders/{holder_id}/days"): Endpoint(
        ATTENDANCE_READ, scoped=True, params={"year": "2026", "month": "11"}
    ),
    ("get", "/api/v1/attendance/holders/{holder_id}/days.csv"): Endpoint(
        ATTENDANCE_READ, scoped=True, params={"year": "2026", "month": "11"}
    ),
    ("get", "/api/v1/attendance/holders/{holder_id}/days.xlsx"): Endpoint(
        ATTENDANCE_READ, scoped=True, params={"year": "2026", "month": "11"}
    ),
    ("post", "/api/v1/attendance/corrections"): Endpoint(
        WRITERS,
        scoped=True,
        body=lambda w: {
            "holder_id": str(w.holder_id),
            "day": "2026-11-18",
            "last_out": "2026-11-18T10:05:00Z",
            "reason": "Quên quẹt thẻ khi về",
        },
    ),
    ("post", "/api/v1/attendance/corrections/{correction_id}/approve"): Endpoint(
        WRITERS, scoped=True
    ),
    ("post", "/api/v1/attendance/corrections/{correction_id}/reject"): Endpoint(
        WRITERS, scoped=True
    ),
    ("post", "/api/v1/attendance/leave"): Endpoint(
        WRITERS,
        scoped=True,
        body=lambda w: {
            "holder_id": str(w.holder_id),
            "leave_type": "annual",
            "first_day": "2026-12-01",
            "last_day": "2026-12-02",
        },
    ),
    ("get", "/api/v1/attendance/holders/{holder_id}/leave"): Endpoint(
        ATTENDANCE_READ, scoped=True, params={"year": "2026"}
    ),
    ("delete", "/api/v1/attendance/leave/{leave_id}"): Endpoint(
        WRITERS, scoped=True, consumes=True
    ),
    # Service centres: counter staff (and administrators) work; auditors read figures.
    ("get", "/api/v1/service-usage/catalogue"): Endpoint(STATS),
    ("post", "/api/v1/service-usage/catalogue"): Endpoint(
        ADMIN, body=lambda w: {"code": f"DV{uuid.uuid4().hex[:6]}", "name": "Cấp giấy phép"}
    ),
    ("post", "/api/v1/service-usage/counters/{counter_id}/sign-in"): Endpoint(
        STAFF,
        scoped=True,
        worlds=CENTRE_ONLY,
        body=lambda w: {"staff_holder_id": str(w.holder_id)},
    ),
    ("post", "/api/v1/service-usage/counters/{counter_id}/sign-out"): Endpoint(
        STAFF,
        scoped=True,
        worlds=CENTRE_ONLY,
        body=lambda w: {"staff_holder_id": str(w.holder_id)},
    ),
    ("post", "/api/v1/service-usage/sessions"): Endpoint(
        STAFF,
        scoped=True,
        worlds=CENTRE_ONLY,
        body=lambda w: {"counter_unit_id": str(w.counter_id), "service_code": "DV-MATRIX"},
    ),
    ("post", "/api/v1/service-usage/sessions/{session_id}/end"): Endpoint(
        STAFF, scoped=True, worlds=CENTRE_ONLY, rename={"session_id": "service_session_id"}
    ),
    ("get", "/api/v1/service-usage/centres/{centre_id}/statistics"): Endpoint(
        STATS,
        scoped=True,
        worlds=CENTRE_ONLY,
        params={"from": "2026-11-01", "to": "2026-11-30"},
    ),
    ("get", "/api/v1/service-usage/open-data.json"): Endpoint(
        STATS, params={"from": "2026-11-01", "to": "2026-11-30"}
    ),
    ("get", "/api/v1/service-usage/open-data.csv"): Endpoint(
        STATS, params={"from": "2026-11-01", "to": "2026-11-30"}
    ),
}


@dataclass
class World:
    """One object of each kind in a unit: the target of a scoped request."""

    unit_key: str
    unit_id: uuid.UUID
    holder_id: uuid.UUID
    card_id: uuid.UUID
    reader_id: uuid.UUID
    group_id: uuid.UUID
    door_group_id: uuid.UUID
    schedule_id: uuid.UUID
    rule_id: uuid.UUID
    attendance_schedule_id: uuid.UUID
    correction_id: uuid.UUID
    leave_id: uuid.UUID
    override_id: uuid.UUID
    counter_id: uuid.UUID  # a counter of the centre (the unit itself elsewhere)
    service_session_id: uuid.UUID
    user_id: uuid.UUID  # an account of the unit (HR there)
    grant_id: uuid.UUID  # its role grant

    def ids(self) -> dict[str, object]:
        return {
            "unit_id": self.unit_id,
            "holder_id": self.holder_id,
            "card_id": self.card_id,
            "reader_id": self.reader_id,
            "group_id": self.group_id,
            "door_group_id": self.door_group_id,
            "schedule_id": self.schedule_id,
            "rule_id": self.rule_id,
            "session_id": uuid.uuid4(),
            "year": 2026,
            "day": "2026-11-19",
            "correction_id": self.correction_id,
            "leave_id": self.leave_id,
            "override_id": self.override_id,
            "counter_id": self.counter_id,
            "centre_id": self.unit_id,
            "service_session_id": self.service_session_id,
            "user_id": self.user_id,
            "grant_id": self.grant_id,
        }


@pytest.fixture
def unit_scoped_users(org: Org, session, password_hash: str) -> Org:
    """An administrator of Sở Nội vụ and an auditor of Sở Tư pháp: each role is also
    played by someone who holds it over one unit only."""
    for name, role, unit in [
        ("admin_snv", Role.ADMIN, org.units["snv"]),
        ("auditor_stp", Role.AUDITOR, org.units["stp"]),
    ]:
        user = User(
            username=name,
            display_name=name,
            password_hash=password_hash,
            unit_id=unit.id,
            roles=[RoleAssignment(role=role, unit_id=unit.id)],
        )
        session.add(user)
        org.users[name] = user
    session.flush()
    session.commit()
    return org


def _route_contexts(routes) -> list[Any]:
    """Every route as this app serves it. FastAPI (0.16x) includes routers lazily: the
    app holds ``_IncludedRouter`` branches whose effective route contexts own the
    Dependant each request calls, one per app (module-level routers stay untouched)."""
    found: list[Any] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "effective_candidates"):
            found += _route_contexts(route.effective_candidates())
        elif getattr(route, "dependant", None) is not None and hasattr(route, "methods"):
            found.append(route)
    return found


@pytest.fixture
def handler_calls(client) -> list[tuple[str, str]]:
    """(method, path) of every route function that actually ran, in order: each route's
    function is wrapped in place. A request stopped by a dependency (401/403) or by
    request parsing (422 validation_failed) never appears."""
    calls: list[tuple[str, str]] = []
    wrapped: set[tuple[str, str]] = set()
    for route in _route_contexts(client.app.router.routes):
        original = route.dependant.call
        marks = [(method.lower(), route.path) for method in route.methods]
        wrapped.update(marks)
        if inspect.iscoroutinefunction(original):

            async def async_call(*a, _f=original, _m=marks, **kw):
                calls.extend(_m)
                return await _f(*a, **kw)

            route.dependant.call = functools.wraps(original)(async_call)
        else:

            def sync_call(*a, _f=original, _m=marks, **kw):
                calls.extend(_m)
                return _f(*a, **kw)

            route.dependant.call = functools.wraps(original)(sync_call)
    # If FastAPI changes how it keeps routes, fail here rather than pass blindly.
    assert set(MATRIX) <= wrapped, sorted(set(MATRIX) - wrapped)[:5]
    return calls


@pytest.fixture
def worlds(client, org, unit_scoped_users, as_user, session, pki, clock) -> dict[str, World]:
    made = {}
    for key in ("snv", "stp", "centre"):
        unit = org.units[key]
        holder = client.post(
            "/api/v1/holders",
            json={"staff_number": f"W-{key}", "full_name": f"Người {key}", "unit_id": str(unit.id)},
            headers=as_user("admin"),
        ).json()
        card = client.post(
            "/api/v1/cards", json={"holder_id": holder["id"]}, headers=as_user("admin")
        ).json()
        row = session.get(Card, uuid.UUID(card["id"]))
        certify(session, pki, row, now=clock.now, state=CardState.ACTIVE)
        session.commit()
        admin = as_user("admin")
        reader = client.post(
            "/api/v1/readers",
            headers=admin,
            json={
                "name": f"Cửa {key}",
                "site_unit_id": str(unit.id),
                "location": "A",
                "mode": "door",
            },
        ).json()["reader"]
        group = client.post(
            "/api/v1/access/groups",
            headers=admin,
            json={"name": f"Nhóm {key}", "unit_id": str(unit.id)},
        ).json()
        doors = client.post(
            "/api/v1/access/door-groups",
            headers=admin,
            json={"name": f"Cửa {key}", "unit_id": str(unit.id)},
        ).json()
        schedule = client.post(
            "/api/v1/access/schedules",
            headers=admin,
            json={
                "name": f"Lịch {key}",
                "windows": [{"weekday": 0, "start": "07:00", "end": "17:00"}],
                "unit_id": str(unit.id),
            },
        ).json()
        rule = client.post(
            "/api/v1/access/rules",
            headers=admin,
            json={
                "name": f"Quy tắc {key}",
                "access_group_id": group["id"],
                "door_group_id": doors["id"],
                "schedule_id": schedule["id"],
            },
        ).json()
        shift = client.post(
            "/api/v1/attendance/schedules",
            headers=admin,
            json={
                "code": f"HC-{key}",
                "name": f"Hành chính {key}",
                "periods": [
                    {"weekday": d, "start_minute": 450, "end_minute": 1020} for d in range(5)
                ],
            },
        ).json()
        corrected = client.post(
            "/api/v1/attendance/corrections",
            headers=admin,
            json={
                "holder_id": holder["id"],
                "day": "2026-11-17",
                "first_in": "2026-11-17T00:35:00Z",
                "reason": "Sửa giờ vào",
            },
        )
        assert corrected.status_code in {200, 201}, corrected.text
        correction = corrected.json()
        leave = client.post(
            "/api/v1/attendance/leave",
            headers=admin,
            json={
                "holder_id": holder["id"],
                "leave_type": "sick",
                "first_day": "2026-11-10",
                "last_day": "2026-11-10",
            },
        ).json()
        override = client.put(
            "/api/v1/attendance/calendar/days/2026-12-20",
            headers=admin,
            json={
                "kind": "holiday",
                "name": f"Nghỉ {key}",
                "unit_id": str(unit.id),
            },
        ).json()
        counter_id, service_session = unit.id, uuid.uuid4()
        if key == "centre":
            counter = create_unit(
                session, kind=UnitKind.COUNTER, code="Q01", name="Quầy 01", parent=unit
            )
            session.commit()
            counter_id = counter.id
            client.post(
                "/api/v1/service-usage/catalogue",
                headers=admin,
                json={"code": "DV-MATRIX", "name": "Dịch vụ thử"},
            )
            client.post(
                f"/api/v1/service-usage/counters/{counter_id}/sign-in",
                headers=admin,
                json={"staff_holder_id": holder["id"]},
            )
            started = client.post(
                "/api/v1/service-usage/sessions",
                headers=admin,
                json={
                    "counter_unit_id": str(counter_id),
                    "service_code": "DV-MATRIX",
                },
            )
            assert started.status_code == 201, started.text
            service_session = uuid.UUID(started.json()["id"])
        account = client.post(
            "/api/v1/users",
            headers=admin,
            json={
                "username": f"nv-{key}",
                "display_name": f"Nhân viên {key}",
                "password": NEW_PASSWORD,
                "unit_id": str(unit.id),
                "roles": [{"role": "hr", "unit_id": str(unit.id)}],
            },
        )
        assert account.status_code == 201, account.text
        made[key] = World(
            key,
            unit.id,
            uuid.UUID(holder["id"]),
            uuid.UUID(card["id"]),
            uuid.UUID(reader["id"]),
            uuid.UUID(group["id"]),
            uuid.UUID(doors["id"]),
            uuid.UUID(schedule["id"]),
            uuid.UUID(rule["id"]),
            uuid.UUID(shift["id"]),
            uuid.UUID(correction["id"]),
            uuid.UUID(leave["id"]),
            uuid.UUID(override["override_id"]),
            counter_id,
            service_session,
            uuid.UUID(account.json()["id"]),
            uuid.UUID(account.json()["roles"][0]["id"]),
        )
    return made


def _request(client, method, path, endpoint, world, headers):
    ids = world.ids()
    ids.update({name: ids[source] for name, source in endpoint.rename.items()})
    url = path.format(**ids)
    body = endpoint.body(world) if endpoint.body else None
    kwargs: dict[str, Any] = {"headers": dict(headers)}
    if endpoint.params:
        kwargs["params"] = {k: v.format(**ids) for k, v in endpoint.params.items()}
    if method == "patch" or endpoint.etag_from:
        source = endpoint.etag_from.format(**ids) if endpoint.etag_from else url
        etag = client.get(source, headers=headers).headers.get("ETag", '"none"')
        kwargs["headers"]["If-Match"] = etag
    if isinstance(body, bytes):
        kwargs["content"] = body
        kwargs["headers"]["Content-Type"] = "text/csv"
    elif body is not None:
        kwargs["json"] = body
    return client.request(method.upper(), url, **kwargs)


def test_every_endpoint_is_in_the_matrix(client) -> None:
    declared = set(MATRIX) | PUBLIC
    present = {
        (method, path)
        for path, operations in client.app.openapi()["paths"].items()
        for method in operations
    }
    assert present - declared == set(), "add these endpoints to MATRIX"
    assert declared - present == set(), "these MATRIX entries no longer exist"


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_role_matrix(client, as_user, worlds, handler_calls, method, path) -> None:
    endpoint = MATRIX[(method, path)]
    failures = []
    consumed: set[str] = set()
    for role in ROLES:
        targets = [worlds[key] for key in endpoint.worlds] if endpoint.scoped else [worlds["snv"]]
        for world in targets:
            handler_calls.clear()  # an ETag read before the request is another route
            response = _request(client, method, path, endpoint, world, as_user(role))
            ran = (method, path) in handler_calls
            status = response.status_code
            if endpoint.reader_only:
                expected = "401"
                ok = status == 401
            elif role not in endpoint.roles:
                expected = "403"
                ok = status == 403
            elif endpoint.scoped and world.unit_key not in SCOPES[role]:
                expected = "404"
                ok = status == 404
            else:
                expected = "allowed"
                gone = endpoint.consumes and world.unit_key in consumed and status == 404
                ok = ran and (gone or (status not in {401, 403, 404} and status < 500))
                if ok and endpoint.consumes:
                    consumed.add(world.unit_key)
            if not ok:
                note = "" if ran or expected != "allowed" else ", route function never ran"
                failures.append(f"{role} on {world.unit_key}: {status}{note} (expected {expected})")
    assert failures == []
