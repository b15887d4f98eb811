"""The access decision at the reader: pure, and closed by default.

``decide`` takes what the tap produced (the crypto verification's result, or the
exception that stopped the tap), the compiled policy, the door's maximum age for
trust material, and the time. Anything it does not recognise denies with
``reader_error``; every denial carries a short reason code (shown to the holder in
Vietnamese by reader_agent.feedback, recorded in the event).

Card and holder ids go into the event only when crypto has checked the issuer's
signature on the certificate: a revoked or expired card is named (the audit trail
wants to know), a forged or foreign certificate is not (its ids are just claims).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from crypto import errors as crypto_errors
from crypto.card_certificates import CardCertificateFacts
from crypto.revocation import RevocationReason
from crypto.tap import VerifiedTap
from reader_agent.errors import CardCommunicationError, ReaderNotConfiguredError
from reader_agent.piv.errors import (
    ApplicationNotFoundError,
    DataObjectNotFoundError,
    KeyNotFoundError,
)
from reader_protocol.policy import GRANTED, CompiledPolicy

# Reason codes of the reader's own checks (the policy's come from reader_protocol.policy).
CARD_UNREADABLE = "card_unreadable"
CARD_UNKNOWN = "card_unknown"  # not a PIV card, or no card-authentication key/certificate
CERTIFICATE_INVALID = "certificate_invalid"
ISSUER_UNKNOWN = "issuer_unknown"
ISSUER_DISTRUSTED = "issuer_distrusted"
CARD_EXPIRED = "card_expired"
CARD_NOT_YET_VALID = "card_not_yet_valid"
CARD_REVOKED = "card_revoked"
CARD_SUSPENDED = "card_suspended"
REVOCATION_LIST_STALE = "revocation_list_stale"
REVOCATION_LIST_MISSING = "revocation_list_missing"
SIGNATURE_INVALID = "signature_invalid"
CHALLENGE_EXPIRED = "challenge_expired"
READER_NOT_CONFIGURED = "reader_not_configured"
READER_ERROR = "reader_error"
# Granted under the configuration's signed emergency section, on a list older than the
# door's limit: recorded with its own code so the audit trail shows what was relied on.
GRANTED_EMERGENCY = "granted_emergency_stale_list"


@dataclass(frozen=True)
class AccessDecision:
    granted: bool
    reason: str
    card_id: uuid.UUID | None = None
    holder_id: uuid.UUID | None = None
    holder_name: str | None = None


# Most specific first: the first class the error is an instance of wins.
_VERIFICATION_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (ReaderNotConfiguredError, READER_NOT_CONFIGURED),
    (crypto_errors.ChallengeExpiredError, CHALLENGE_EXPIRED),
    (crypto_errors.ChallengeMismatchError, SIGNATURE_INVALID),
    (crypto_errors.UnknownIssuerError, ISSUER_UNKNOWN),
    (crypto_errors.DistrustedIssuerError, ISSUER_DISTRUSTED),
    (crypto_errors.CertificateExpiredError, CARD_EXPIRED),
    (crypto_errors.CertificateNotYetValidError, CARD_NOT_YET_VALID),
    (crypto_errors.StaleRevocationListError, REVOCATION_LIST_STALE),
    (crypto_errors.MissingRevocationListError, REVOCATION_LIST_MISSING),
    (crypto_errors.VerificationError, CERTIFICATE_INVALID),
    (ApplicationNotFoundError, CARD_UNKNOWN),
    (DataObjectNotFoundError, CARD_UNKNOWN),
    (KeyNotFoundError, CARD_UNKNOWN),
    (CardCommunicationError, CARD_UNREADABLE),
)

# Raised by crypto.tap only after the issuer's signature on the certificate verified.
_CERTIFICATE_WAS_GENUINE = (
    crypto_errors.CertificateExpiredError,
    crypto_errors.CertificateNotYetValidError,
    crypto_errors.RevokedError,
    crypto_errors.StaleRevocationListError,
    crypto_errors.MissingRevocationListError,
    crypto_errors.ChallengeMismatchError,
)


def reason_for(error: BaseException) -> str:
    """The denial code for an error that stopped a tap; ``reader_error`` if unknown."""
    if isinstance(error, crypto_errors.RevokedError):
        held = error.reason == RevocationReason.CERTIFICATE_HOLD
        return CARD_SUSPENDED if held else CARD_REVOKED
    for error_class, reason in _VERIFICATION_REASONS:
        if isinstance(error, error_class):
            return reason
    return READER_ERROR


def decide(
    *,
    outcome: VerifiedTap | BaseException,
    unverified_facts: CardCertificateFacts | None,
    policy: CompiledPolicy | None,
    max_crl_age: timedelta,
    now: datetime,
) -> AccessDecision:
    """Grant only a verified card, with a fresh enough revocation list, that the
    policy lets through at ``now``."""
    if not isinstance(outcome, VerifiedTap):  # only a verified tap can go further
        return _refused(outcome, unverified_facts)
    card = outcome.card
    if policy is None:
        return AccessDecision(False, READER_NOT_CONFIGURED, card.card_id, card.holder_id)
    if now - outcome.revocation_this_update > max_crl_age:
        name = policy.holder_name(card.holder_id)
        return AccessDecision(False, REVOCATION_LIST_STALE, card.card_id, card.holder_id, name)
    verdict = policy.evaluate(card.holder_id, now)
    if verdict.granted and verdict.reason == GRANTED:
        return AccessDecision(True, GRANTED, card.card_id, card.holder_id, verdict.holder_name)
    reason = verdict.reason if not verdict.granted else READER_ERROR
    return AccessDecision(False, reason, card.card_id, card.holder_id, verdict.holder_name)


def decide_in_emergency(
    *,
    outcome: VerifiedTap | BaseException,
    unverified_facts: CardCertificateFacts | None,
    policy: CompiledPolicy,
    max_crl_age: timedelta,
    now: datetime,
) -> AccessDecision:
    """The second look after ``decide`` said the revocation list is too old: grant only
    a card verified in full but for the list's age (crypto's
    ``verify_tap_despite_stale_revocation_list``), whose holder the signed emergency
    section names, while the list is within that section's extra allowance."""
    if not isinstance(outcome, VerifiedTap):
        return _refused(outcome, unverified_facts)
    card = outcome.card
    name = policy.holder_name(card.holder_id)
    allowance = policy.emergency_allowance(card.holder_id)
    if allowance is None or now - outcome.revocation_this_update > max_crl_age + allowance:
        return AccessDecision(False, REVOCATION_LIST_STALE, card.card_id, card.holder_id, name)
    return AccessDecision(True, GRANTED_EMERGENCY, card.card_id, card.holder_id, name)


def _refused(error: BaseException, unverified_facts: CardCertificateFacts | None) -> AccessDecision:
    reason = reason_for(error)
    if unverified_facts is None or not isinstance(error, _CERTIFICATE_WAS_GENUINE):
        return AccessDecision(False, reason)
    # The issuer signed these facts (see _CERTIFICATE_WAS_GENUINE), so naming the card
    # in the record is safe. The holder's name is not shown: a found or stolen card
    # should not tell its finder whose it is.
    return AccessDecision(False, reason, unverified_facts.card_id, unverified_facts.holder_id)
