"""Every feature's models, imported in one place so the metadata is complete.

Alembic's env.py and the model/migration agreement test import this module.
"""

from card_service.audit.models import AuditEntry
from card_service.cards.models import Card
from card_service.db.base import Base
from card_service.events.models import TapEvent
from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit
from card_service.readers.models import Reader
from card_service.users.models import RoleAssignment, User

metadata = Base.metadata

__all__ = [
    "AuditEntry",
    "Card",
    "Holder",
    "OrgUnit",
    "Reader",
    "RoleAssignment",
    "TapEvent",
    "User",
    "metadata",
]
