"""The card management key (key reference 9B) and its single-block cipher.

SP 800-73-4 authenticates the administrator with a symmetric challenge-response
(Part 2 appendix A.1): one cipher block encrypted or decrypted with the management
key in ECB mode. Client and virtual card both use ``ManagementKey``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, CipherAlgorithm, algorithms, modes

from reader_agent.piv.constants import MANAGEMENT_ALGORITHMS, Algorithm

KEY_LENGTHS: dict[Algorithm, int] = {
    Algorithm.TDES: 24,
    Algorithm.AES_128: 16,
    Algorithm.AES_192: 24,
    Algorithm.AES_256: 32,
}
_TDES_BLOCK = 8
_AES_BLOCK = 16


@dataclass(frozen=True, repr=False)
class ManagementKey:
    """A management key with its algorithm. ``repr`` never shows the key."""

    algorithm: Algorithm
    key: bytes

    def __post_init__(self) -> None:
        if self.algorithm not in MANAGEMENT_ALGORITHMS:
            raise ValueError(f"algorithm {self.algorithm:#04x} is not a management-key algorithm")
        expected = KEY_LENGTHS[self.algorithm]
        if len(self.key) != expected:
            raise ValueError(f"{self.algorithm.name} key must be {expected} bytes")

    def __repr__(self) -> str:
        return f"ManagementKey({self.algorithm.name}, <redacted>)"

    @property
    def block_size(self) -> int:
        return _TDES_BLOCK if self.algorithm == Algorithm.TDES else _AES_BLOCK

    def encrypt_block(self, block: bytes) -> bytes:
        self._check_block(block)
        encryptor = self._cipher().encryptor()
        return encryptor.update(block) + encryptor.finalize()

    def decrypt_block(self, block: bytes) -> bytes:
        self._check_block(block)
        decryptor = self._cipher().decryptor()
        return decryptor.update(block) + decryptor.finalize()

    def _check_block(self, block: bytes) -> None:
        if len(block) != self.block_size:
            raise ValueError(f"a {self.algorithm.name} block is {self.block_size} bytes")

    def _cipher(self) -> Cipher[modes.ECB]:
        algorithm: CipherAlgorithm = (
            TripleDES(self.key) if self.algorithm == Algorithm.TDES else algorithms.AES(self.key)
        )
        # ECB on exactly one block is what the standard's challenge-response specifies;
        # no message longer than a block is ever encrypted with it.
        return Cipher(algorithm, modes.ECB())  # noqa: S305


# The well-known factory default of PIV tokens (YubiKey's 01..08 repeated three
# times). Every card leaves issuance with its own key instead (docs/piv-profile.md).
DEFAULT_MANAGEMENT_KEY = ManagementKey(
    Algorithm.TDES, bytes.fromhex("010203040506070801020304050607080102030405060708")
)
