"""Every feature's models, imported in one place so the metadata is complete.

Alembic's env.py and the model/migration agreement test import this module.
"""

from card_service.access.models import (
    AccessGroup,
    AccessGroupMember,
    AccessRule,
    DoorGroup,
    DoorGroupMember,
    PolicyState,
    Schedule,
)
from card_service.attendance.models import (
    AttendanceCorrection,
    AttendanceDay,
    CalendarOverride,
    LeaveRecord,
    ShiftAssignment,
    UnitSchedule,
    WorkPeriod,
    WorkSchedule,
)
from card_service.audit.models import AuditCheckpoint, AuditEntry
from card_service.auth.models import BrowserSession, RefreshToken
from card_service.cards.models import Card, CardTransition
from card_service.csca.models import CscaCertificate, CscaCrl, CscaMasterList
from card_service.db.base import Base
from card_service.events.models import TapEvent
from card_service.holders.models import Holder
from card_service.issuance.models import IssuanceNonce
from card_service.orgunits.models import OrgUnit
from card_service.pki.models import (
    CrlDocument,
    CrlState,
    IssuerKey,
    RevocationEntry,
    TrustBundleRecord,
)
from card_service.readers.models import Reader, ReaderEnrolment, ReaderTokenUse
from card_service.service_usage.models import CounterSession, CounterSignIn, ServiceType
from card_service.users.models import RoleAssignment, User
from card_service.verification.models import VerificationChallenge

metadata = Base.metadata

__all__ = [
    "AccessGroup",
    "AccessGroupMember",
    "AccessRule",
    "AttendanceCorrection",
    "AttendanceDay",
    "AuditCheckpoint",
    "AuditEntry",
    "BrowserSession",
    "CalendarOverride",
    "Card",
    "CardTransition",
    "CounterSession",
    "CounterSignIn",
    "CrlDocument",
    "CrlState",
    "CscaCertificate",
    "CscaCrl",
    "CscaMasterList",
    "DoorGroup",
    "DoorGroupMember",
    "Holder",
    "IssuanceNonce",
    "IssuerKey",
    "LeaveRecord",
    "OrgUnit",
    "PolicyState",
    "Reader",
    "ReaderEnrolment",
    "ReaderTokenUse",
    "RefreshToken",
    "RevocationEntry",
    "RoleAssignment",
    "Schedule",
    "ServiceType",
    "ShiftAssignment",
    "TapEvent",
    "TrustBundleRecord",
    "UnitSchedule",
    "User",
    "VerificationChallenge",
    "WorkPeriod",
    "WorkSchedule",
    "metadata",
]
