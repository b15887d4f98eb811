"""Active Authentication (ICAO 9303-11 section 6.1): the chip signs our random challenge
with the private key whose public half is in DG15.

RSA signatures follow ISO/IEC 9796-2 scheme 1 (message recovery; trailer BC for SHA-1
or a hash identifier before CC); EC signatures are plain r||s with the hash DG14's
ActiveAuthenticationInfo names. Verification raises ActiveAuthenticationError.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from reader_agent.connection import Connection
from reader_agent.emrtd.errors import ActiveAuthenticationError
from reader_agent.emrtd.lds.dg14_15 import ActiveAuthenticationKey
from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.status import SW
from reader_agent.iso7816.transport import exchange

INS_INTERNAL_AUTHENTICATE = 0x88
CHALLENGE_LENGTH = 8
ECDSA_PLAIN = "0.4.0.127.0.7.1.1.4.1"
_PLAIN_HASHES: dict[str, hashes.HashAlgorithm] = {
    f"{ECDSA_PLAIN}.1": hashes.SHA1(),  # noqa: S303 - old chips sign with it; accepted as ICAO does
    f"{ECDSA_PLAIN}.2": hashes.SHA224(),
    f"{ECDSA_PLAIN}.3": hashes.SHA256(),
    f"{ECDSA_PLAIN}.4": hashes.SHA384(),
    f"{ECDSA_PLAIN}.5": hashes.SHA512(),
}
# ISO/IEC 10118-3 hash identifiers used in the two-byte 9796-2 trailer (xx CC).
_TRAILER_HASHES = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}
_HEADER_PARTIAL_RECOVERY = 0x6A
_TRAILER_SHA1 = 0xBC
_TRAILER_EXPLICIT = 0xCC
_LOW_NIBBLE_TRAILER = 0x0C


def request_signature(
    connection: Connection, challenge: bytes | None = None
) -> tuple[bytes, bytes]:
    """INTERNAL AUTHENTICATE with a fresh 8-byte challenge; returns (challenge, signature)."""
    challenge = challenge if challenge is not None else os.urandom(CHALLENGE_LENGTH)
    answer = exchange(
        connection, CommandApdu(0x00, INS_INTERNAL_AUTHENTICATE, 0, 0, challenge, le=256)
    )
    if answer.sw != SW.SUCCESS or not answer.data:
        raise ActiveAuthenticationError(f"the chip refused INTERNAL AUTHENTICATE ({answer.sw:04X})")
    return challenge, answer.data


def verify_active_authentication(
    public_key: ActiveAuthenticationKey,
    challenge: bytes,
    unverified_signature: bytes,
    *,
    signature_algorithm: str | None = None,
) -> None:
    """Raise ActiveAuthenticationError unless the signature over ``challenge`` verifies."""
    if isinstance(public_key, rsa.RSAPublicKey):
        _verify_rsa_9796(public_key, challenge, unverified_signature)
        return
    algorithm = _PLAIN_HASHES.get(signature_algorithm or f"{ECDSA_PLAIN}.3")
    if algorithm is None:
        raise ActiveAuthenticationError(f"AA signature algorithm {signature_algorithm} unknown")
    size = (public_key.curve.key_size + 7) // 8
    if len(unverified_signature) != 2 * size:
        raise ActiveAuthenticationError("EC AA signature has the wrong length")
    r = int.from_bytes(unverified_signature[:size], "big")
    s = int.from_bytes(unverified_signature[size:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), challenge, ec.ECDSA(algorithm))
    except InvalidSignature as exc:
        raise ActiveAuthenticationError("the chip's AA signature does not verify") from exc


def _verify_rsa_9796(key: rsa.RSAPublicKey, challenge: bytes, signature: bytes) -> None:
    numbers = key.public_numbers()
    size = (numbers.n.bit_length() + 7) // 8
    s = int.from_bytes(signature, "big")
    if len(signature) != size or not 0 < s < numbers.n:
        raise ActiveAuthenticationError("RSA AA signature has the wrong size")
    f = pow(s, numbers.e, numbers.n)
    if f & 0x0F != _LOW_NIBBLE_TRAILER:
        f = numbers.n - f  # 9796-2 lets the signer send min(s, n - s)
    message = f.to_bytes(size, "big")
    if message[0] != _HEADER_PARTIAL_RECOVERY:
        raise ActiveAuthenticationError("the chip's AA signature does not verify")
    if message[-1] == _TRAILER_SHA1:
        name, trailer = "sha1", 1
    elif message[-1] == _TRAILER_EXPLICIT and message[-2] in _TRAILER_HASHES:
        name, trailer = _TRAILER_HASHES[message[-2]], 2
    else:
        raise ActiveAuthenticationError("the chip's AA signature has an unknown trailer")
    digest_size = hashlib.new(name).digest_size
    m1 = message[1 : -(digest_size + trailer)]
    digest = message[-(digest_size + trailer) : -trailer]
    if not hmac.compare_digest(hashlib.new(name, m1 + challenge).digest(), digest):
        raise ActiveAuthenticationError("the chip's AA signature does not verify")


def sign_9796_2(private_key: rsa.RSAPrivateKey, challenge: bytes, m1: bytes) -> bytes:
    """The chip side (virtual card): ISO 9796-2 scheme 1, SHA-256, trailer 34 CC."""
    numbers = private_key.private_numbers()
    n = numbers.public_numbers.n
    size = (n.bit_length() + 7) // 8
    m1 = m1[: size - hashlib.sha256().digest_size - 3]
    digest = hashlib.sha256(m1 + challenge).digest()
    message = bytes((_HEADER_PARTIAL_RECOVERY,)) + m1 + digest + b"\x34\xcc"
    if len(message) != size:
        raise ValueError("M1 must fill the modulus")
    return pow(int.from_bytes(message, "big"), numbers.d, n).to_bytes(size, "big")
