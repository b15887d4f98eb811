"""The crypto library's errors. Verification never returns a bool a caller can ignore:
it returns a verified result or raises one of these."""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every error the crypto library raises on purpose."""


class VerificationError(CryptoError):
    """Something presented as trustworthy is not. Callers deny; they never retry blindly."""


class MalformedInputError(VerificationError):
    """Input could not be parsed (truncated or garbage DER, wrong lengths, bad encoding)."""
