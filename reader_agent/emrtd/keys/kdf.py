"""The ICAO 9303-11 key derivation function (section 9.7.1).

KDF(K, c) = H(K || c) with a 32-bit counter c: 1 for encryption, 2 for MAC, 3 for the
PACE password key. SHA-1 feeds 3DES and AES-128; SHA-256 feeds AES-192 and AES-256.
"""

from __future__ import annotations

import enum
import hashlib

COUNTER_ENC = 1
COUNTER_MAC = 2
COUNTER_PACE = 3


class KeyKind(enum.Enum):
    DES3 = "3DES"
    AES128 = "AES-128"
    AES192 = "AES-192"
    AES256 = "AES-256"

    @property
    def length(self) -> int:
        return {"3DES": 16, "AES-128": 16, "AES-192": 24, "AES-256": 32}[self.value]


def kdf(secret: bytes, counter: int, kind: KeyKind) -> bytes:
    """Derive one key of ``kind`` from a shared secret (or key seed)."""
    data = secret + counter.to_bytes(4, "big")
    if kind in (KeyKind.DES3, KeyKind.AES128):
        digest = hashlib.sha1(data).digest()  # noqa: S324 - ICAO 9303 mandates SHA-1 here
    else:
        digest = hashlib.sha256(data).digest()
    key = digest[: kind.length]
    # 3DES keys carry odd parity in each byte's low bit; the worked examples show it set.
    return adjust_des_parity(key) if kind is KeyKind.DES3 else key


def adjust_des_parity(key: bytes) -> bytes:
    """Set each byte's least significant bit so the byte has odd parity."""
    out = bytearray()
    for byte in key:
        high = byte & 0xFE
        out.append(high | (bin(high).count("1") + 1) % 2)
    return bytes(out)
