"""Passphrase-encrypted PKCS#8 (RFC 5958 EncryptedPrivateKeyInfo, RFC 8018 PBES2).

``cryptography`` writes encrypted PKCS#8 with OpenSSL's default of 2,048 PBKDF2
iterations, which is cheap to brute-force. We write the same standard structure
ourselves with PBKDF2-HMAC-SHA256 at 600,000 iterations (OWASP's 2023 figure) and
AES-256-CBC; ``cryptography`` and ``openssl pkey`` both read it back.
"""

from __future__ import annotations

import base64
import textwrap
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from crypto import _der

OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_HMAC_SHA256 = "1.2.840.113549.2.9"
OID_AES256_CBC = "2.16.840.1.101.3.4.1.42"

DEFAULT_ITERATIONS = 600_000
MIN_ITERATIONS = 10_000
SALT_BYTES = 16
IV_BYTES = 16
KEY_BYTES = 32


def encrypt_pkcs8(
    plain_pkcs8_der: bytes,
    passphrase: bytes,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    random: Callable[[int], bytes],
) -> bytes:
    """EncryptedPrivateKeyInfo DER for an unencrypted PKCS#8 PrivateKeyInfo."""
    if iterations < MIN_ITERATIONS:
        raise ValueError(f"at least {MIN_ITERATIONS} PBKDF2 iterations")
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    salt = random(SALT_BYTES)
    iv = random(IV_BYTES)
    key = PBKDF2HMAC(hashes.SHA256(), KEY_BYTES, salt, iterations).derive(passphrase)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain_pkcs8_der) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    algorithm = _der.sequence(
        _der.oid(OID_PBES2),
        _der.sequence(
            _der.sequence(
                _der.oid(OID_PBKDF2),
                _der.sequence(
                    _der.octet_string(salt),
                    _der.integer(iterations),
                    _der.sequence(_der.oid(OID_HMAC_SHA256), _der.null()),
                ),
            ),
            _der.sequence(_der.oid(OID_AES256_CBC), _der.octet_string(iv)),
        ),
    )
    return _der.sequence(algorithm, _der.octet_string(ciphertext))


def pem(der: bytes, label: str) -> bytes:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode("ascii"), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n".encode("ascii")
