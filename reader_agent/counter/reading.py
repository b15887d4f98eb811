"""Reading a citizen's chip ID card at the desk: PC/SC, the eMRTD read, the verdict.

The card is read on the clerk's request (the CAN typed on the screen), not on
insertion. While it is read, this thread's APDU log records are dropped at every
level: the traffic is secure-messaging ciphertext, but the rule is simpler than the
argument (docs/citizen-counter.md, privacy).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from crypto.emrtd import CscaTrustStore
from reader_agent.connection import Connection
from reader_agent.counter.citizen import CitizenRead, citizen_read
from reader_agent.emrtd.keys.access import AccessKey
from reader_agent.emrtd.session import ReadOptions, read_document
from reader_agent.emrtd.verdict import verify_document

# The loggers that write APDUs: pcsc (whole APDUs) and secure messaging (headers).
APDU_LOGGERS = ("reader_agent.pcsc", "reader_agent.emrtd.secure_messaging")
_reading = threading.local()


class _CitizenApdus(logging.Filter):
    """Drops every record a citizen read's thread logs through an APDU logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_reading, "active", False)


_FILTER = _CitizenApdus()


@contextmanager
def unlogged_apdus() -> Iterator[None]:
    for name in APDU_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    _reading.active = True
    try:
        yield
    finally:
        _reading.active = False


def read_citizen(
    connection: Connection,
    key: AccessKey,
    trust_store: CscaTrustStore,
    *,
    now: datetime,
    extended_length: bool = False,
) -> CitizenRead:
    """Read and verify; raises AccessControlError (wrong CAN: ``retries_left``),
    EmrtdError or CardCommunicationError when no verdict could be reached."""
    with unlogged_apdus():
        document = read_document(
            connection, key, options=ReadOptions(extended_length=extended_length)
        )
    verdict = verify_document(document, trust_store, now=now)
    return citizen_read(document, verdict, read_at=now)
