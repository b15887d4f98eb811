"""Signed JSON documents of our own (reader configuration, emergency lists, ...).

The same envelope as the trust bundle and audit checkpoints: a canonical JSON body
``{type, version, key_id, content}`` and an ECDSA P-256 signature over its bytes. The
``kind`` keeps one document type from ever being accepted as another.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from crypto import _envelope
from crypto.errors import UnknownIssuerError
from crypto.signers import Signer


@dataclass(frozen=True)
class SignedDocument:
    kind: str
    version: int
    key_id: str
    content: dict[str, Any]


def sign_document(signer: Signer, *, kind: str, version: int, content: Mapping[str, Any]) -> bytes:
    """Seal ``content`` (JSON-native values, bytes as base64 by the encoder)."""
    return _envelope.seal(signer, type_=kind, version=version, content=content)


def open_document(
    unverified_document: bytes,
    *,
    kind: str,
    versions: Collection[int],
    keys: Mapping[str, ec.EllipticCurvePublicKey],
) -> SignedDocument:
    """Verify the signature with one of ``keys`` (by key id) and return the content.

    Raises MalformedInputError, ProfileViolationError (wrong kind or version),
    UnknownIssuerError (key not in ``keys``) or BadSignatureError.
    """

    def lookup(key_id: str) -> ec.EllipticCurvePublicKey:
        if key_id not in keys:
            raise UnknownIssuerError(key_id)
        return keys[key_id]

    opened = _envelope.open_envelope(
        unverified_document, type_=kind, versions=versions, keys=lookup
    )
    return SignedDocument(opened.type, opened.version, opened.key_id, opened.content)
