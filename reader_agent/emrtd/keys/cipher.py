"""Block ciphers and MACs of secure messaging: 3DES with the retail MAC, AES with CMAC.

ISO/IEC 9797-1 padding method 2 (80 00..) is applied by the callers that pad; the
ciphers here only run CBC over whole blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from reader_agent.emrtd.errors import SecureMessagingError
from reader_agent.emrtd.keys.kdf import KeyKind

DES_BLOCK = 8
AES_BLOCK = 16
MAC_LENGTH = 8


def pad(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 80, then zeros to a whole block (always added)."""
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % block)


def unpad(data: bytes) -> bytes:
    """Remove method-2 padding; raise SecureMessagingError if it is not there."""
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:  # noqa: PLR2004
        raise SecureMessagingError("decrypted data has no ISO 9797-1 padding")
    return stripped[:-1]


def _cbc(algorithm: algorithms.AES | TripleDES, iv: bytes, data: bytes, *, encrypt: bool) -> bytes:
    cipher = Cipher(algorithm, modes.CBC(iv))
    context = cipher.encryptor() if encrypt else cipher.decryptor()
    return context.update(data) + context.finalize()


def _des3_key(key: bytes) -> bytes:
    # Two-key 3DES is K1 K2 K1 and single DES is K K K: spell them out as 24-byte keys.
    if len(key) == 8:  # noqa: PLR2004
        return key * 3
    if len(key) == 16:  # noqa: PLR2004
        return key + key[:8]
    return key


def des3_cbc(key: bytes, data: bytes, *, encrypt: bool, iv: bytes = bytes(DES_BLOCK)) -> bytes:
    return _cbc(TripleDES(_des3_key(key)), iv, data, encrypt=encrypt)


def aes_cbc(key: bytes, data: bytes, *, encrypt: bool, iv: bytes = bytes(AES_BLOCK)) -> bytes:
    return _cbc(algorithms.AES(key), iv, data, encrypt=encrypt)


def aes_ecb_encrypt_block(key: bytes, block: bytes) -> bytes:
    # One block through CBC with a zero IV is ECB on that block.
    return aes_cbc(key, block, encrypt=True)


def retail_mac(key: bytes, padded: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (DES): CBC under Ka, then D(Kb), E(Ka) on the last block."""
    ka, kb = key[:8], key[8:16]
    last = des3_cbc(ka, padded, encrypt=True)[-DES_BLOCK:]
    last = des3_cbc(kb, last, encrypt=False)
    return des3_cbc(ka, last, encrypt=True)


def aes_cmac(key: bytes, data: bytes) -> bytes:
    mac = cmac.CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()


@dataclass(frozen=True)
class CipherSuite:
    """The symmetric half of a protocol: 3DES (BAC, PACE-3DES) or AES-128/192/256."""

    kind: KeyKind

    @property
    def block_size(self) -> int:
        return DES_BLOCK if self.kind is KeyKind.DES3 else AES_BLOCK

    @property
    def is_aes(self) -> bool:
        return self.kind is not KeyKind.DES3

    def encrypt(self, key: bytes, data: bytes, *, iv: bytes | None = None) -> bytes:
        iv = iv if iv is not None else bytes(self.block_size)
        if self.is_aes:
            return aes_cbc(key, data, encrypt=True, iv=iv)
        return des3_cbc(key, data, encrypt=True, iv=iv)

    def decrypt(self, key: bytes, data: bytes, *, iv: bytes | None = None) -> bytes:
        if len(data) % self.block_size:
            raise SecureMessagingError("ciphertext is not a whole number of blocks")
        iv = iv if iv is not None else bytes(self.block_size)
        if self.is_aes:
            return aes_cbc(key, data, encrypt=False, iv=iv)
        return des3_cbc(key, data, encrypt=False, iv=iv)

    def mac(self, key: bytes, data: bytes) -> bytes:
        """The 8-byte MAC over ``data`` as given: retail MAC needs whole blocks, so 3DES
        callers pass padded data; CMAC takes any length (secure messaging still pads)."""
        if self.is_aes:
            return aes_cmac(key, data)[:MAC_LENGTH]
        if len(data) % DES_BLOCK:
            raise ValueError("the retail MAC runs over padded data")
        return retail_mac(key, data)

    def ssc_iv(self, ks_enc: bytes, ssc: bytes) -> bytes:
        """The IV for SM encryption: zero for 3DES, E(KSenc, SSC) for AES (9303-11 9.8.6.1)."""
        if self.is_aes:
            return aes_ecb_encrypt_block(ks_enc, ssc)
        return bytes(DES_BLOCK)
