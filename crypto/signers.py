"""Key custody: one signer interface, whatever holds the private key.

``Signer`` is what issuing code needs: a key id, the public key, and ``sign(data)``
returning a DER ECDSA P-256 / SHA-256 signature. ``FileSigner`` keeps the key in a
passphrase-encrypted PKCS#8 file; ``crypto.pkcs11_signer.Pkcs11Signer`` keeps it in
an HSM (SoftHSM2 in tests). ``as_private_key`` lets either drive ``cryptography``'s
X.509 certificate and CRL builders, which call ``sign()`` on the key they are given.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from crypto import _pkcs8
from crypto.errors import KeyCustodyError, UnsupportedKeyError
from crypto.keys import ECDSA_SHA256, key_id, require_p256

DEFAULT_KDF_ITERATIONS = _pkcs8.DEFAULT_ITERATIONS


@runtime_checkable
class Signer(Protocol):
    """An ECDSA P-256 signing key in someone's custody."""

    @property
    def key_id(self) -> str:
        """The key id of ``public_key`` (crypto.keys.key_id)."""
        ...

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey: ...

    def sign(self, data: bytes) -> bytes:
        """ECDSA with SHA-256 over ``data``: a DER-encoded signature."""
        ...


class SignerPrivateKey(ec.EllipticCurvePrivateKey):
    """A ``cryptography`` EC private key whose ``sign()`` is the signer's.

    Only ECDSA with SHA-256 is offered; the private value is never available.
    """

    def __init__(self, signer: Signer) -> None:
        self._signer = signer

    @property
    def signer(self) -> Signer:
        return self._signer

    @property
    def curve(self) -> ec.EllipticCurve:
        return ec.SECP256R1()

    @property
    def key_size(self) -> int:
        return 256

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._signer.public_key

    def sign(
        self,
        data: bytes | bytearray | memoryview,
        signature_algorithm: ec.EllipticCurveSignatureAlgorithm,
    ) -> bytes:
        if not isinstance(signature_algorithm, ec.ECDSA) or not isinstance(
            signature_algorithm.algorithm, hashes.SHA256
        ):
            # Prehashed(SHA256()) is refused too: a custody key hashes what it signs.
            raise KeyCustodyError("custody keys sign ECDSA with SHA-256 only")
        return self._signer.sign(bytes(data))

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        raise KeyCustodyError("custody keys only sign")

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        raise KeyCustodyError("the private key stays in custody")

    def private_bytes(
        self,
        encoding: serialization.Encoding,
        format: serialization.PrivateFormat,
        encryption_algorithm: serialization.KeySerializationEncryption,
    ) -> bytes:
        raise KeyCustodyError("the private key stays in custody")

    def __copy__(self) -> SignerPrivateKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> SignerPrivateKey:
        return self


def as_private_key(signer: Signer) -> ec.EllipticCurvePrivateKey:
    """Adapt a signer for ``cryptography``'s X.509 builders (``builder.sign(key, SHA256())``)."""
    return SignerPrivateKey(signer)


class FileSigner:
    """A P-256 key held in memory, loaded from or saved to an encrypted PKCS#8 PEM file."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        require_p256(private_key.public_key())
        self._private_key = private_key
        self._public_key = private_key.public_key()
        self._key_id = key_id(self._public_key)

    def __repr__(self) -> str:
        return f"FileSigner(key_id={self._key_id})"

    @classmethod
    def generate(cls) -> FileSigner:
        """A new key from the operating system's random source."""
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, data: bytes, passphrase: bytes) -> FileSigner:
        try:
            key: PrivateKeyTypes = serialization.load_pem_private_key(data, passphrase)
        except (ValueError, TypeError) as exc:
            raise KeyCustodyError(f"cannot decrypt the key: {exc}") from exc
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise UnsupportedKeyError(type(key).__name__)
        return cls(key)

    @classmethod
    def load(cls, path: Path, passphrase: bytes) -> FileSigner:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KeyCustodyError(f"cannot read {path}: {exc}") from exc
        return cls.from_pem(data, passphrase)

    def to_pem(self, passphrase: bytes, *, kdf_iterations: int = DEFAULT_KDF_ITERATIONS) -> bytes:
        plain = self._private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        encrypted = _pkcs8.encrypt_pkcs8(
            plain, passphrase, iterations=kdf_iterations, random=os.urandom
        )
        return _pkcs8.pem(encrypted, "ENCRYPTED PRIVATE KEY")

    def save(
        self, path: Path, passphrase: bytes, *, kdf_iterations: int = DEFAULT_KDF_ITERATIONS
    ) -> None:
        """Write the encrypted key to a new file readable by its owner only (never overwrites)."""
        data = self.to_pem(passphrase, kdf_iterations=kdf_iterations)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise KeyCustodyError(f"cannot create {path}: {exc}") from exc
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public_key

    def sign(self, data: bytes) -> bytes:
        return self._private_key.sign(data, ECDSA_SHA256)
