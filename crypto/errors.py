"""The crypto library's errors. Verification never returns a bool a caller can ignore:
it returns a verified result or raises one of these.

Every failure of a tap has its own class (and fields a caller can log or map to a
reason code); all of them are ``VerificationError``, so a door that only needs
"deny" catches that one base.
"""

from __future__ import annotations

from datetime import datetime, timedelta


class CryptoError(Exception):
    """Base of every error the crypto library raises on purpose."""


class VerificationError(CryptoError):
    """Something presented as trustworthy is not. Callers deny; they never retry blindly."""


class MalformedInputError(VerificationError):
    """Input could not be parsed (truncated or garbage DER, wrong lengths, bad encoding)."""


# ------------------------------------------------------------------ malformed, more precisely


class UnsupportedKeyError(MalformedInputError):
    """A key is not ECDSA P-256 (an RSA key, another curve, ...)."""

    def __init__(self, found: str) -> None:
        super().__init__(f"expected an EC P-256 key, found {found}")
        self.found = found


class ProfileViolationError(MalformedInputError):
    """A well-formed certificate, list or token that is outside our profile."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


# ------------------------------------------------------------------ issuers and signatures


class UnknownIssuerError(VerificationError):
    """Signed by a key we do not trust (not in the trust bundle, or not a root we hold)."""

    def __init__(self, key_id: str | None) -> None:
        super().__init__(f"unknown issuer key {key_id or '(none given)'}")
        self.key_id = key_id


class DistrustedIssuerError(VerificationError):
    """Signed by a known issuing key after the cut-off the trust bundle gives for it."""

    status = "distrusted"

    def __init__(self, key_id: str, since: datetime, signed_at: datetime) -> None:
        super().__init__(
            f"issuer key {key_id} is {self.status} since {since.isoformat()}; "
            f"this was signed at {signed_at.isoformat()}"
        )
        self.key_id = key_id
        self.since = since
        self.signed_at = signed_at


class IssuerRetiredError(DistrustedIssuerError):
    """The issuing key was retired: it may not issue certificates after ``since``."""

    status = "retired"


class IssuerCompromisedError(DistrustedIssuerError):
    """The issuing key is compromised: nothing it signed at or after ``since`` is trusted."""

    status = "compromised"


class BadSignatureError(VerificationError):
    """A signature does not verify under the key that should have made it."""


# ------------------------------------------------------------------ validity in time


class CertificateExpiredError(VerificationError):
    def __init__(self, not_after: datetime, now: datetime) -> None:
        super().__init__(f"expired at {not_after.isoformat()} (now {now.isoformat()})")
        self.not_after = not_after
        self.now = now


class CertificateNotYetValidError(VerificationError):
    def __init__(self, not_before: datetime, now: datetime) -> None:
        super().__init__(f"not valid before {not_before.isoformat()} (now {now.isoformat()})")
        self.not_before = not_before
        self.now = now


# ------------------------------------------------------------------ revocation


class RevokedError(VerificationError):
    """The certificate is on the revocation list (``reason`` is the RFC 5280 CRLReason)."""

    def __init__(self, serial: int, reason: int, revoked_at: datetime) -> None:
        super().__init__(
            f"certificate {serial:x} revoked at {revoked_at.isoformat()} (reason {reason})"
        )
        self.serial = serial
        self.reason = reason
        self.revoked_at = revoked_at


class StaleRevocationListError(VerificationError):
    """The revocation list is past its nextUpdate plus the allowed grace."""

    def __init__(self, next_update: datetime, grace: timedelta, now: datetime) -> None:
        super().__init__(
            f"revocation list expired at {next_update.isoformat()} (+{grace}); "
            f"now {now.isoformat()}"
        )
        self.next_update = next_update
        self.grace = grace
        self.now = now


class MissingRevocationListError(VerificationError):
    """We hold no revocation list for the issuer; without one we cannot decide."""

    def __init__(self, issuer_key_id: str) -> None:
        super().__init__(f"no revocation list held for issuer {issuer_key_id}")
        self.issuer_key_id = issuer_key_id


class RevocationListNotYetValidError(VerificationError):
    """The list's thisUpdate is in the future beyond the allowed clock skew."""

    def __init__(self, this_update: datetime, now: datetime) -> None:
        super().__init__(f"list issued at {this_update.isoformat()}, now {now.isoformat()}")
        self.this_update = this_update
        self.now = now


class RollbackError(VerificationError):
    """A signed, numbered artifact is not newer than the one already held."""

    def __init__(self, held: int, presented: int) -> None:
        super().__init__(f"presented number {presented} is not greater than held {held}")
        self.held = held
        self.presented = presented


class RevocationListRollbackError(RollbackError):
    """A CRL (or delta CRL) whose number is not greater than the one held."""


class TrustBundleRollbackError(RollbackError):
    """A trust bundle whose sequence is not greater than the one held."""


class RevocationListGapError(VerificationError):
    """A delta CRL whose base is newer than the list held: fetch the full list."""

    def __init__(self, held: int | None, base: int) -> None:
        super().__init__(f"delta is based on CRL {base} but we hold {held}")
        self.held = held
        self.base = base


# ------------------------------------------------------------------ challenge and tokens


class ChallengeMismatchError(VerificationError):
    """The card's answer is not a signature by the certificate's key over our challenge."""


class ChallengeExpiredError(ChallengeMismatchError):
    """The answer came after the challenge's deadline."""

    def __init__(self, expires_at: datetime, now: datetime) -> None:
        super().__init__(f"challenge expired at {expires_at.isoformat()} (now {now.isoformat()})")
        self.expires_at = expires_at
        self.now = now


class TokenExpiredError(VerificationError):
    def __init__(self, expires_at: datetime, now: datetime) -> None:
        super().__init__(f"token expired at {expires_at.isoformat()} (now {now.isoformat()})")
        self.expires_at = expires_at
        self.now = now


class TokenNotYetValidError(VerificationError):
    def __init__(self, issued_at: datetime, now: datetime) -> None:
        super().__init__(f"token issued at {issued_at.isoformat()} (now {now.isoformat()})")
        self.issued_at = issued_at
        self.now = now


class TokenReplayedError(VerificationError):
    """The token's nonce was seen before: a token is good for one use."""

    def __init__(self, nonce: bytes) -> None:
        super().__init__(f"token nonce {nonce.hex()} was already used")
        self.nonce = nonce


# ------------------------------------------------------------------ audit chain


class AuditChainBrokenError(VerificationError):
    """The audit chain was tampered with; ``seq`` is the first entry known to be wrong.

    ``kind`` is one of ``edited``, ``deleted``, ``inserted``, ``reordered``.
    """

    def __init__(self, seq: int, kind: str, detail: str) -> None:
        super().__init__(f"audit chain broken at seq {seq} ({kind}): {detail}")
        self.seq = seq
        self.kind = kind
        self.detail = detail


# ------------------------------------------------------------------ not verification


class IssuanceError(CryptoError):
    """A request to issue something outside the profile (too long a validity, ...)."""


class KeyCustodyError(CryptoError):
    """A signing key could not be loaded, saved, generated or used."""
