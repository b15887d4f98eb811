"""Public keys: the one curve we use (P-256), stable key ids, loading and verifying.

A key id is RFC 7093 method 1: the leftmost 160 bits of SHA-256 over the
subjectPublicKey BIT STRING contents (for P-256, the 65-byte uncompressed point),
written as 40 lower-case hex digits. The same 20 bytes are the Subject Key
Identifier of the key's certificate and the Authority Key Identifier of everything
it signs, so a reader finds the issuer of a certificate or list in one dict lookup.
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from crypto.errors import BadSignatureError, MalformedInputError, UnsupportedKeyError

KEY_ID_BYTES = 20
ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
# PIV GENERAL AUTHENTICATE with an ECC key signs the 32 bytes it is given as the digest.
ECDSA_PREHASHED_SHA256 = ec.ECDSA(utils.Prehashed(hashes.SHA256()))


def require_p256(key: object) -> ec.EllipticCurvePublicKey:
    """``key`` as an EC P-256 public key, or UnsupportedKeyError (RSA, other curves...)."""
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise UnsupportedKeyError(type(key).__name__)
    if not isinstance(key.curve, ec.SECP256R1):
        raise UnsupportedKeyError(f"EC curve {key.curve.name}")
    return key


def point_bytes(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The uncompressed point (0x04 || x || y)."""
    return public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def key_id_bytes(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return hashlib.sha256(point_bytes(require_p256(public_key))).digest()[:KEY_ID_BYTES]


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    """The stable key id of a P-256 public key (40 hex digits)."""
    return key_id_bytes(public_key).hex()


def parse_key_id(text: str) -> bytes:
    """The 20 bytes of a key id string; MalformedInputError if it is not one."""
    if len(text) != 2 * KEY_ID_BYTES or text.lower() != text:
        raise MalformedInputError(f"not a key id: {text!r}")
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise MalformedInputError(f"not a key id: {text!r}") from exc


def load_public_key_der(unverified_spki: bytes) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from SubjectPublicKeyInfo DER."""
    try:
        key: PublicKeyTypes = serialization.load_der_public_key(unverified_spki)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise MalformedInputError(f"not a public key: {exc}") from exc
    return require_p256(key)


def load_public_key_point(unverified_point: bytes) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from an X9.62 point (as PIV GENERATE ASYMMETRIC returns it)."""
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unverified_point)
    except ValueError as exc:
        raise MalformedInputError(f"not a P-256 point: {exc}") from exc


def public_key_der(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def verify_signature(
    public_key: ec.EllipticCurvePublicKey, unverified_signature: bytes, data: bytes
) -> None:
    """ECDSA P-256 with SHA-256 over ``data``; BadSignatureError if it does not verify."""
    try:
        public_key.verify(unverified_signature, data, ECDSA_SHA256)
    except InvalidSignature as exc:
        raise BadSignatureError("signature does not verify") from exc


def raw_signature(der_signature: bytes) -> bytes:
    """DER ECDSA signature as fixed-length r || s (64 bytes for P-256)."""
    try:
        r, s = utils.decode_dss_signature(der_signature)
    except ValueError as exc:
        raise MalformedInputError("not a DER ECDSA signature") from exc
    if r.bit_length() > 256 or s.bit_length() > 256:  # noqa: PLR2004
        raise MalformedInputError("ECDSA signature values too large for P-256")
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def der_signature(raw: bytes) -> bytes:
    """Fixed-length r || s as a DER ECDSA signature."""
    if len(raw) != 64:  # noqa: PLR2004
        raise MalformedInputError("raw P-256 signature must be 64 bytes")
    return utils.encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
