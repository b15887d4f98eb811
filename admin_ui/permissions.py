"""Which roles may use which page or action: the API's own rules, imported, not retyped.

Each set is the tuple the feature's service (or routes) module uses for its endpoints,
so the console can never allow more than the API allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from card_service.access import service as access_service
from card_service.attendance import access as attendance_access
from card_service.auth.principal import Principal
from card_service.auth.schemas import Role
from card_service.cards import service as cards_service
from card_service.events import reads as event_reads
from card_service.holders import service as holders_service
from card_service.readers import service as readers_service
from card_service.service_usage import routes as service_usage_routes
from card_service.users import admin as users_admin

Roles = tuple[Role, ...]

HOLDERS_READ: Roles = holders_service.READ_ROLES
HOLDERS_WRITE: Roles = holders_service.WRITE_ROLES
CARDS_READ: Roles = cards_service.READ_ROLES
CARDS_MANAGE: Roles = cards_service.MANAGE_ROLES
READERS_READ: Roles = readers_service.READ_ROLES
READERS_MANAGE: Roles = readers_service.MANAGE_ROLES
ATTENDANCE_READ: Roles = attendance_access.READ_ROLES
ATTENDANCE_WRITE: Roles = attendance_access.WRITE_ROLES
CALENDAR_EDIT: Roles = attendance_access.CALENDAR_ROLES
STATS_READ: Roles = service_usage_routes.STATS_ROLES
ACCESS_READ: Roles = access_service.READ_ROLES
ACCESS_MANAGE: Roles = access_service.MANAGE_ROLES
# /api/v1/audit admits auditors and administrators.
AUDIT_READ: Roles = (Role.AUDITOR, Role.ADMIN)
EVENTS_READ: Roles = event_reads.READ_ROLES
ACCOUNTS_READ: Roles = users_admin.READ_ROLES
ACCOUNTS_MANAGE: Roles = users_admin.MANAGE_ROLES
# Changing one's own password: POST /api/v1/auth/password admits every role.
ANYONE_SIGNED_IN: Roles = tuple(Role)


@dataclass(frozen=True)
class Permissions:
    """What the signed-in person may see and do; templates show only these."""

    holders_read: bool
    holders_write: bool
    cards_read: bool
    cards_manage: bool
    readers_read: bool
    readers_manage: bool
    access_read: bool
    access_manage: bool
    attendance_read: bool
    attendance_write: bool
    calendar_edit: bool
    stats_read: bool
    audit_read: bool
    events_read: bool
    accounts_read: bool
    accounts_manage: bool

    @classmethod
    def of(cls, principal: Principal) -> Permissions:
        may = principal.has_any
        return cls(
            holders_read=may(HOLDERS_READ),
            holders_write=may(HOLDERS_WRITE),
            cards_read=may(CARDS_READ),
            cards_manage=may(CARDS_MANAGE),
            readers_read=may(READERS_READ),
            readers_manage=may(READERS_MANAGE),
            access_read=may(ACCESS_READ),
            access_manage=may(ACCESS_MANAGE),
            attendance_read=may(ATTENDANCE_READ),
            attendance_write=may(ATTENDANCE_WRITE),
            calendar_edit=may(CALENDAR_EDIT),
            stats_read=may(STATS_READ),
            audit_read=may(AUDIT_READ),
            events_read=may(EVENTS_READ),
            accounts_read=may(ACCOUNTS_READ),
            accounts_manage=may(ACCOUNTS_MANAGE),
        )
