"""The PIV card application (NIST SP 800-73-4) as the platform uses it.

Pure protocol code over ``reader_agent.connection.Connection``: ``PivClient``
personalises cards at issuance and authenticates them at readers. Everything it
returns from a card is unverified until ``crypto`` accepts it. See
docs/piv-profile.md for the objects, keys and instructions used.
"""

from reader_agent.piv.client import PinStatus, PivClient
from reader_agent.piv.constants import PIV_AID, Algorithm, KeyReference, ObjectId, Slot
from reader_agent.piv.errors import (
    ApplicationNotFoundError,
    DataObjectNotFoundError,
    KeyNotFoundError,
    ManagementKeyRejectedError,
    MutualAuthenticationError,
    PinBlockedError,
    PinFormatError,
    PinIncorrectError,
    PivError,
    PivStatusError,
    SecurityStatusNotSatisfiedError,
)
from reader_agent.piv.fascn import NON_FEDERAL_FASCN, Fascn
from reader_agent.piv.management import DEFAULT_MANAGEMENT_KEY, ManagementKey
from reader_agent.piv.objects import ApplicationProperties, Chuid

__all__ = [
    "DEFAULT_MANAGEMENT_KEY",
    "NON_FEDERAL_FASCN",
    "PIV_AID",
    "Algorithm",
    "ApplicationNotFoundError",
    "ApplicationProperties",
    "Chuid",
    "DataObjectNotFoundError",
    "Fascn",
    "KeyNotFoundError",
    "KeyReference",
    "ManagementKey",
    "ManagementKeyRejectedError",
    "MutualAuthenticationError",
    "ObjectId",
    "PinBlockedError",
    "PinFormatError",
    "PinIncorrectError",
    "PinStatus",
    "PivClient",
    "PivError",
    "PivStatusError",
    "SecurityStatusNotSatisfiedError",
    "Slot",
]
