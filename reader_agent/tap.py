"""One tap, start to finish: read the card, challenge it, verify, decide, record,
then (and only then) release the door and tell the holder.

The order is the safety argument. The decision is committed to the outbox
(synchronous=FULL) before the door is touched, so a door never opens for a tap the
service will not hear about, whatever happens to the process afterwards. Any failure
on the way denies: a card that cannot be read, trust material that cannot verify it,
an outbox that cannot store the event (then the door stays shut too).
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from crypto import challenge as crypto_challenge
from crypto.card_certificates import CardCertificateFacts, parse_card_certificate
from crypto.errors import CryptoError
from crypto.tap import TapVerifier, VerifiedTap
from reader_agent.connection import Connection
from reader_agent.debounce import Debouncer
from reader_agent.decision import (
    CARD_UNREADABLE,
    READER_ERROR,
    REVOCATION_LIST_STALE,
    AccessDecision,
    decide,
    decide_in_emergency,
    reason_for,
)
from reader_agent.door import Door
from reader_agent.errors import CardCommunicationError, ReaderNotConfiguredError
from reader_agent.feedback import Feedback, TapOutcome
from reader_agent.freshness import max_crl_age
from reader_agent.modes import TapKinds
from reader_agent.outbox import Outbox, OutboxError, TapEventDraft
from reader_agent.piv import PivClient, Slot
from reader_protocol.enrolment import ReaderMode
from reader_protocol.events import Decision, TapKind
from reader_protocol.policy import CompiledPolicy

logger = logging.getLogger(__name__)

_MAX_WINDOWS = 4


class TrustSource(Protocol):
    @property
    def verifier(self) -> TapVerifier | None: ...


class PolicySource(Protocol):
    @property
    def policy(self) -> CompiledPolicy | None: ...


@dataclass(frozen=True)
class TapOptions:
    """Local settings (reader.toml) that can only make the door stricter or slower."""

    max_crl_age: timedelta | None = None
    debounce_seconds: float | None = None
    release_seconds: float | None = None
    extended_length: bool = False


@dataclass(frozen=True)
class TapTimings:
    """Milliseconds spent in each part of the tap (perf_counter)."""

    card_ms: float  # SELECT, read certificate, GENERAL AUTHENTICATE
    decision_ms: float  # crypto verification and policy
    outbox_ms: float  # the committed append (fsync)
    total_ms: float


@dataclass(frozen=True)
class TapResult:
    decision: AccessDecision
    kind: TapKind
    at: datetime
    event_id: uuid.UUID | None
    reader_seq: int | None
    repeat: bool
    door_released: bool
    timings: TapTimings


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TapProcessor:
    """Runs taps for one reader. Constructors do no I/O."""

    def __init__(
        self,
        *,
        trust: TrustSource,
        config: PolicySource,
        outbox: Outbox,
        door: Door,
        feedback: Feedback,
        kinds: TapKinds,
        options: TapOptions | None = None,
        on_recorded: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        perf_counter: Callable[[], float] = time.perf_counter,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self._trust = trust
        self._config = config
        self._outbox = outbox
        self._door = door
        self._feedback = feedback
        self._kinds = kinds
        self._options = options or TapOptions()
        self._on_recorded = on_recorded
        self._clock = clock
        self._monotonic = monotonic
        self._perf = perf_counter
        self._random = random_bytes
        self._debouncers: dict[float, Debouncer] = {}

    def tap(self, connection: Connection) -> TapResult:
        """Read the card, then decide, record and act on what it said."""
        return self.settle(self.read(connection))

    def read(self, connection: Connection) -> CardReading:
        """Step one of a tap: what the card says (its certificate and its signature over
        a fresh challenge), or the error that stopped it. Decides and records nothing,
        so an unreadable card can be read again (``reader_agent.loop``)."""
        started = self._perf()
        unverified_certificate: bytes | None = None
        try:
            client = PivClient(
                connection,
                extended_length=self._options.extended_length,
                random_bytes=self._random,
            )
            client.select()
            unverified_certificate = client.read_certificate(Slot.CARD_AUTHENTICATION)
            challenge, state = crypto_challenge.begin(now=self._clock(), random=self._random)
            unverified_signature = client.authenticate(Slot.CARD_AUTHENTICATION, challenge)
        except Exception as exc:  # noqa: BLE001 - anything the card causes denies
            return CardReading(self._clock(), started, self._perf(), exc, unverified_certificate)
        answers = _CardAnswers(unverified_certificate, state, unverified_signature)
        return CardReading(self._clock(), started, self._perf(), answers, unverified_certificate)

    def read_failed(self, error: CardCommunicationError) -> CardReading:
        """The reading of a card that could not even be connected to."""
        now = self._perf()
        return CardReading(self._clock(), now, now, error, None)

    def settle(self, reading: CardReading) -> TapResult:
        """Step two: verify and decide at the time of the reading, record the event,
        then (only then) release the door and tell the holder."""
        settling = self._perf()
        now = reading.at
        policy = self._config.policy
        answers: _CardAnswers | None = None
        outcome: VerifiedTap | BaseException
        if isinstance(reading.outcome, _CardAnswers):
            answers = reading.outcome
            outcome = self._verify(answers, now)
        else:
            outcome = reading.outcome
        decision = decide(
            outcome=outcome,
            unverified_facts=_facts_if_refused(outcome, reading.unverified_certificate),
            policy=policy,
            max_crl_age=self._max_crl_age(policy),
            now=now,
        )
        if (
            decision.reason == REVOCATION_LIST_STALE
            and answers is not None
            and policy is not None
            and policy.config.emergency is not None
        ):
            decision = self._emergency(answers, policy, now)
        decided = self._perf()
        if isinstance(outcome, BaseException) and decision.reason == READER_ERROR:
            logger.error("tap failed unexpectedly; denied", exc_info=outcome)
        return self._act(
            decision,
            policy,
            now=now,
            started=reading.started,
            card_ms=(reading.card_done - reading.started) * 1e3,
            settling=settling,
            decided=decided,
        )

    def _verify(self, answers: _CardAnswers, now: datetime) -> VerifiedTap | BaseException:
        verifier = self._trust.verifier
        if verifier is None:
            return ReaderNotConfiguredError("no trust bundle held yet")
        try:
            return verifier.verify_tap(
                answers.unverified_certificate,
                answers.state,
                answers.unverified_signature,
                now=now,
            )
        except Exception as exc:  # noqa: BLE001 - VerificationError or not, it denies
            return exc

    def _emergency(
        self, answers: _CardAnswers, policy: CompiledPolicy, now: datetime
    ) -> AccessDecision:
        """The signed emergency section's second look (the first one said: list too old)."""
        verifier = self._trust.verifier
        outcome: VerifiedTap | BaseException
        if verifier is None:
            outcome = ReaderNotConfiguredError("no trust bundle held yet")
        else:
            try:
                outcome = verifier.verify_tap_despite_stale_revocation_list(
                    answers.unverified_certificate,
                    answers.state,
                    answers.unverified_signature,
                    now=now,
                )
            except Exception as exc:  # noqa: BLE001 - VerificationError or not, it denies
                outcome = exc
        decision = decide_in_emergency(
            outcome=outcome,
            unverified_facts=_facts_if_refused(outcome, answers.unverified_certificate),
            policy=policy,
            max_crl_age=self._max_crl_age(policy),
            now=now,
        )
        if decision.granted:
            logger.warning("granted on a stale revocation list under the emergency section")
        return decision

    def _act(
        self,
        decision: AccessDecision,
        policy: CompiledPolicy | None,
        *,
        now: datetime,
        started: float,
        card_ms: float,
        settling: float,
        decided: float,
    ) -> TapResult:
        kind = self._kinds.kind_for(decision.holder_id, now=now)
        if self._is_repeat(decision, policy):
            self._show(decision, now, repeat=True)
            timings = self._timings(started, card_ms, settling, decided, decided)
            return TapResult(decision, kind, now, None, None, True, False, timings)
        draft = TapEventDraft.decided(
            now=now,
            kind=kind,
            decision=Decision.GRANTED if decision.granted else Decision.DENIED,
            reason=decision.reason,
            card_id=decision.card_id,
            holder_id=decision.holder_id,
            random_bytes=self._random,
        )
        try:
            seq: int | None = self._outbox.append(draft)
        except OutboxError:
            logger.exception("the outbox cannot store the tap: the door stays shut")
            seq = None
            decision = AccessDecision(False, READER_ERROR, decision.card_id, decision.holder_id)
        recorded = self._perf()
        released = False
        if seq is not None:
            self._kinds.recorded(decision.holder_id, kind, granted=decision.granted, at=now)
            self._on_recorded()
            if decision.granted:
                released = self._release(policy)
        self._show(decision, now, repeat=False)
        timings = self._timings(started, card_ms, settling, decided, recorded)
        return TapResult(
            decision,
            kind,
            now,
            draft.id if seq is not None else None,
            seq,
            False,
            released,
            timings,
        )

    def _is_repeat(self, decision: AccessDecision, policy: CompiledPolicy | None) -> bool:
        """A second tap of one card with the same answer inside the window counts once.

        At a door, a granted repeat counts again once the door has locked again: the
        holder who tapped too early must not be left outside for the rest of the window.
        """
        if decision.card_id is None:
            return False
        window = self._options.debounce_seconds
        if window is None:
            window = float(policy.config.debounce_seconds) if policy is not None else 0.0
        if decision.granted and self._kinds.mode is ReaderMode.DOOR:
            window = min(window, self._release_seconds(policy))
        debouncer = self._debouncers.get(window)
        if debouncer is None:
            if len(self._debouncers) > _MAX_WINDOWS:  # windows changed with the config
                self._debouncers.clear()
            debouncer = self._debouncers[window] = Debouncer(window)
        key = (decision.card_id, decision.granted, decision.reason)
        return not debouncer.accept(key, self._monotonic())

    def _release_seconds(self, policy: CompiledPolicy | None) -> float:
        seconds = self._options.release_seconds
        if seconds is None:
            seconds = policy.config.door_release_ms / 1000 if policy is not None else 3.0
        return seconds

    def _release(self, policy: CompiledPolicy | None) -> bool:
        seconds = self._release_seconds(policy)
        try:
            self._door.release(seconds)
        except Exception:  # a broken relay must not stop the reader
            logger.exception("the door did not release")
            return False
        return True

    def _show(self, decision: AccessDecision, now: datetime, *, repeat: bool) -> None:
        outcome = TapOutcome(
            decision=Decision.GRANTED if decision.granted else Decision.DENIED,
            reason=decision.reason,
            at=now,
            holder_name=decision.holder_name,
            repeat=repeat,
        )
        try:
            self._feedback.show(outcome)
        except Exception:  # a broken display must not stop the reader
            logger.exception("feedback failed")

    def _timings(
        self, started: float, card_ms: float, settling: float, decided: float, recorded: float
    ) -> TapTimings:
        return TapTimings(
            card_ms=card_ms,
            decision_ms=(decided - settling) * 1e3,
            outbox_ms=(recorded - decided) * 1e3,
            total_ms=(self._perf() - started) * 1e3,
        )

    def _max_crl_age(self, policy: CompiledPolicy | None) -> timedelta:
        return max_crl_age(policy.config if policy is not None else None, self._options.max_crl_age)


@dataclass(frozen=True)
class _CardAnswers:
    """What the card said during one tap, kept for a second look under the emergency section."""

    unverified_certificate: bytes
    state: crypto_challenge.ChallengeState
    unverified_signature: bytes


def _facts_if_refused(
    outcome: VerifiedTap | BaseException, unverified_certificate: bytes | None
) -> CardCertificateFacts | None:
    if not isinstance(outcome, BaseException) or unverified_certificate is None:
        return None
    try:
        return parse_card_certificate(unverified_certificate)
    except CryptoError:
        return None


@dataclass(frozen=True)
class CardReading:
    """What one read of the card produced (``TapProcessor.read``), before anything is
    decided: the card's answers, or the error that stopped the read."""

    at: datetime  # the time the decision is taken at (the card's signature is checked then)
    started: float  # perf_counter at the start of the read
    card_done: float  # perf_counter at its end
    outcome: _CardAnswers | BaseException
    unverified_certificate: bytes | None

    @property
    def unreadable(self) -> bool:
        """The card could not be read (``card_unreadable``): nothing was learnt about
        it, so nothing is decided yet, and reading it again is safe."""
        return (
            isinstance(self.outcome, BaseException) and reason_for(self.outcome) == CARD_UNREADABLE
        )
