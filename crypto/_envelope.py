"""The signed envelope of our own JSON artifacts (trust bundle, audit checkpoint).

    {"body": b64url(canonical JSON), "signature": b64url(DER ECDSA P-256 SHA-256)}

where the body is ``{"type": ..., "version": ..., "key_id": ..., "content": {...}}``.
The signature covers the exact body bytes; ``type`` separates artifacts so a signature
made for one kind can never be accepted as another, ``version`` is the format version
and ``key_id`` names the signing key (rotation without guessing).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from crypto._encoding import b64url_decode, b64url_encode, canonical_json, parse_json_object
from crypto.errors import MalformedInputError, ProfileViolationError
from crypto.keys import parse_key_id, verify_signature
from crypto.signers import Signer

KeyLookup = Callable[[str], ec.EllipticCurvePublicKey]
"""key id -> public key; raises UnknownIssuerError for a key it does not trust."""


@dataclass(frozen=True)
class Opened:
    type: str
    version: int
    key_id: str
    content: dict[str, Any]
    body: bytes


def seal(signer: Signer, *, type_: str, version: int, content: Mapping[str, Any]) -> bytes:
    body = canonical_json(
        {"type": type_, "version": version, "key_id": signer.key_id, "content": content}
    )
    signature = signer.sign(body)
    return canonical_json({"body": b64url_encode(body), "signature": b64url_encode(signature)})


def open_envelope(
    unverified: bytes, *, type_: str, versions: Collection[int], keys: KeyLookup
) -> Opened:
    """Check the envelope's form and signature; return its body, now verified."""
    outer = parse_json_object(unverified)
    if set(outer) != {"body", "signature"}:
        raise MalformedInputError("envelope must have exactly body and signature")
    body = b64url_decode(outer["body"])
    signature = b64url_decode(outer["signature"])
    header = parse_json_object(body)
    if set(header) != {"type", "version", "key_id", "content"}:
        raise MalformedInputError("envelope body must have type, version, key_id, content")
    if header["type"] != type_:
        raise ProfileViolationError("type", f"expected {type_!r}, found {header['type']!r}")
    version = header["version"]
    if type(version) is not int or version not in versions:
        raise ProfileViolationError("version", f"unsupported version {version!r}")
    signer_id = header["key_id"]
    if not isinstance(signer_id, str):
        raise MalformedInputError("key_id must be a string")
    parse_key_id(signer_id)
    content = header["content"]
    if not isinstance(content, dict):
        raise MalformedInputError("content must be an object")
    verify_signature(keys(signer_id), signature, body)
    if canonical_json(header) != body:
        # Signed, but not by our encoder: refuse rather than accept two spellings.
        raise MalformedInputError("body is not in canonical form")
    return Opened(type_, version, signer_id, content, body)
