"""The citizen desk: read a chip ID card, start a session for a service, end it.

States: idle -> read (a citizen's data in memory) -> session (recorded by the service)
-> idle. The citizen's name, face and number are held only here, in memory:

- the number leaves once, in the start request (the service turns it into the keyed
  reference) and is dropped as soon as the session has started;
- name and face are dropped when the session ends, when the clerk clears them, and at
  the latest ``hold`` after the read (a forgotten screen shows nothing for long);
- log lines name outcomes and codes only.

A refused verdict may still be recorded when the clerk confirms a manual check of the
paper document; its number is then not sent (docs/citizen-counter.md). Time comes
from ``clock``; the card reader and the service are passed in.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from pydantic import ValidationError

from reader_agent.client.errors import ServiceError, ServiceRefusedError, ServiceUnavailableError
from reader_agent.counter import labels
from reader_agent.counter.citizen import CitizenRead
from reader_agent.emrtd.errors import AccessControlError, EmrtdError, PasswordBlockedError
from reader_agent.emrtd.keys.access import AccessKey
from reader_agent.errors import CardCommunicationError, NoCardError, ReaderAgentError
from reader_protocol.counter import (
    CitizenSessionEnded,
    CitizenSessionStart,
    CitizenSessionStarted,
    CounterCatalogue,
    CounterStatus,
    DocumentEvidence,
    LegalBasis,
    normalise_document_number,
)

logger = logging.getLogger(__name__)

ReadCard = Callable[[AccessKey, datetime], CitizenRead]
_GONE = {"counter_session_not_found", "counter_session_ended"}
T = TypeVar("T")


class CounterApi(Protocol):
    """The service's counter endpoints (CounterServiceClient)."""

    def counter_catalogue(self) -> CounterCatalogue: ...

    def counter_status(self) -> CounterStatus: ...

    def start_citizen_session(self, request: CitizenSessionStart) -> CitizenSessionStarted: ...

    def end_citizen_session(self, session_id: uuid.UUID) -> CitizenSessionEnded: ...


class DeskError(ReaderAgentError):
    """A request the desk could not carry out; ``code`` for the screen, a Vietnamese
    ``message`` for the clerk. Never carries personal data."""

    def __init__(self, code: str, *, retries_left: int | None = None) -> None:
        message = (
            labels.retries_message(retries_left)
            if code == "wrong_can"
            else labels.ERRORS.get(code, labels.ERRORS["refused"])
        )
        super().__init__(message)
        self.code = code
        self.message = message
        self.retries_left = retries_left


@dataclass(frozen=True)
class StartRequest:
    """What the clerk chose on the screen."""

    service_code: str
    legal_basis: LegalBasis
    consent_confirmed: bool = False
    manual_check: bool = False


@dataclass(frozen=True)
class DeskState:
    read: CitizenRead | None
    session: CitizenSessionStarted | None
    notice: str | None


class CounterDesk:
    """Thread-safe: the screen's requests arrive on several threads."""

    def __init__(
        self,
        *,
        read_card: ReadCard,
        api: CounterApi,
        clock: Callable[[], datetime],
        hold: timedelta,
    ) -> None:
        self._read_card = read_card
        self._api = api
        self._clock = clock
        self._hold = hold
        self._lock = threading.Lock()
        self._read: CitizenRead | None = None
        self._session: CitizenSessionStarted | None = None
        self._notice: str | None = None

    def state(self) -> DeskState:
        with self._lock:
            self._expire(self._clock())
            return DeskState(self._read, self._session, self._notice)

    def expire(self) -> None:
        """Drop the citizen's data once ``hold`` has passed since the read."""
        with self._lock:
            self._expire(self._clock())

    def read(self, key: AccessKey) -> CitizenRead:
        with self._lock:
            now = self._clock()
            self._expire(now)
            if self._session is not None:
                raise DeskError("busy")
            self._read, self._notice = None, None  # a new read replaces the last one
            read = self._read_card_or_raise(key, now)
            self._read = read
            if read.summary.accepted:
                logger.info("citizen card read: accepted")
            else:
                codes = ",".join(reason.value for reason in read.summary.reasons)
                logger.info("citizen card read: refused (%s)", codes)
            return read

    def start(self, request: StartRequest) -> CitizenSessionStarted:
        with self._lock:
            now = self._clock()
            self._expire(now)
            if self._session is not None:
                raise DeskError("busy")
            message = self._start_message(request, now)
            started = self._call(lambda: self._api.start_citizen_session(message))
            self._session = started
            # The number was needed for the reference only; the face stays on screen.
            self._read = self._read.without_number() if self._read is not None else None
            self._notice = None
            logger.info("counter session %s started (%s)", started.session_id, started.service_code)
            return started

    def end(self) -> None:
        with self._lock:
            session = self._session
            if session is None:
                raise DeskError("no_session")
            try:
                self._call(lambda: self._api.end_citizen_session(session.session_id))
            except DeskError as exc:
                if exc.code not in _GONE:
                    raise
            self._session, self._read, self._notice = None, None, None
            logger.info("counter session %s ended; citizen data dropped", session.session_id)

    def clear(self) -> None:
        """The clerk's "clear": the citizen's data goes now (a session stays open)."""
        with self._lock:
            self._read, self._notice = None, None
            logger.info("citizen data cleared by the clerk")

    # ------------------------------------------------------------------ internals

    def _read_card_or_raise(self, key: AccessKey, now: datetime) -> CitizenRead:
        try:
            return self._read_card(key, now)
        except PasswordBlockedError as exc:
            raise DeskError("password_blocked") from exc
        except AccessControlError as exc:
            raise DeskError("wrong_can", retries_left=exc.retries_left) from exc
        except NoCardError as exc:
            raise DeskError("no_card") from exc
        except (CardCommunicationError, EmrtdError) as exc:
            logger.warning("citizen card could not be read: %s", type(exc).__name__)
            raise DeskError("card_unreadable") from exc

    def _start_message(self, request: StartRequest, now: datetime) -> CitizenSessionStart:
        read = self._read
        consent = request.legal_basis is LegalBasis.CONSENT
        if consent and not request.consent_confirmed:
            raise DeskError("consent_missing")
        verified = read is not None and read.document_type is not None and read.summary.accepted
        if not verified and not request.manual_check:
            raise DeskError("manual_check_missing")
        try:
            document = _evidence(read)
            return CitizenSessionStart(
                service_code=request.service_code,
                document=document,
                legal_basis=request.legal_basis,
                consent_given_at=now if consent else None,
                manual_check=request.manual_check,
            )
        except ValidationError as exc:
            # Its text would quote the input; the field names are enough.
            fields = ",".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
            logger.warning("session request refused before sending (fields: %s)", fields)
            raise DeskError("bad_input") from None

    def _call(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except ServiceRefusedError as exc:
            code = exc.code if exc.code in labels.ERRORS or exc.code in _GONE else "refused"
            logger.warning("service refused the counter request: %s", exc.code)
            raise DeskError(code) from exc
        except ServiceUnavailableError as exc:
            raise DeskError("service_unavailable") from exc
        except ServiceError as exc:
            raise DeskError("refused") from exc

    def _expire(self, now: datetime) -> None:
        if self._read is not None and now - self._read.read_at > self._hold:
            self._read = None
            self._notice = "Dữ liệu công dân đã được xóa do quá thời gian giữ."
            logger.info("citizen data dropped: held longer than %s", self._hold)


def _evidence(read: CitizenRead | None) -> DocumentEvidence | None:
    """The document part of the start request; None when nothing usable was read."""
    if read is None or read.document_type is None or read.issuing_state is None:
        return None
    number = read.verified_number
    return DocumentEvidence(
        document_type=read.document_type,
        issuing_state=read.issuing_state.replace("<", ""),
        document_number=normalise_document_number(number) if number is not None else None,
        verdict=read.summary,
    )
