"""The service's own signing keys (audit checkpoints, issuing CAs, ...), by name.

Two custodies behind one interface, chosen by settings: encrypted PKCS#8 files under
``data_dir/keys`` (the default; the demo generates a passphrase file next to them), or
a PKCS#11 token such as an HSM (keys generated inside it, never extractable).
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from pathlib import Path
from typing import Protocol

from card_service.errors import ConfigurationError
from card_service.settings import Settings
from crypto.errors import KeyCustodyError
from crypto.signers import FileSigner, Signer

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class KeyCustody(Protocol):
    def get(self, name: str) -> Signer:
        """The existing key called ``name``; ConfigurationError if there is none."""
        ...

    def create(self, name: str) -> Signer:
        """A new key called ``name`` (never replaces one)."""
        ...

    def exists(self, name: str) -> bool: ...


class FileKeyCustody:
    """Keys in ``directory/<name>.p8``, each encrypted with the one passphrase."""

    def __init__(self, directory: Path, passphrase: bytes) -> None:
        self._directory = directory
        self._passphrase = passphrase
        self._cache: dict[str, Signer] = {}
        self._lock = threading.Lock()

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError(f"bad key name {name!r}")
        return self._directory / f"{name}.p8"

    def exists(self, name: str) -> bool:
        return self._path(name).exists()

    def get(self, name: str) -> Signer:
        with self._lock:
            if name not in self._cache:
                try:
                    self._cache[name] = FileSigner.load(self._path(name), self._passphrase)
                except KeyCustodyError as exc:
                    raise ConfigurationError(f"signing key {name!r}: {exc}") from exc
            return self._cache[name]

    def create(self, name: str) -> Signer:
        with self._lock:
            self._directory.mkdir(parents=True, exist_ok=True)
            signer = FileSigner.generate()
            try:
                signer.save(self._path(name), self._passphrase)
            except KeyCustodyError as exc:
                raise ConfigurationError(f"cannot store signing key {name!r}: {exc}") from exc
            self._cache[name] = signer
            return signer


def get_or_create(custody: KeyCustody, name: str) -> Signer:
    return custody.get(name) if custody.exists(name) else custody.create(name)


def custody_from_settings(settings: Settings) -> KeyCustody:
    """Named factory: may read or create the passphrase file and open the token."""
    if settings.key_custody == "pkcs11":
        from card_service.keystore_pkcs11 import Pkcs11KeyCustody  # noqa: PLC0415

        return Pkcs11KeyCustody.from_settings(settings)
    directory = settings.data_dir / "keys"
    if settings.key_passphrase is not None:
        passphrase = settings.key_passphrase.get_secret_value().encode()
    else:
        passphrase = _demo_passphrase(directory / "passphrase")
    return FileKeyCustody(directory, passphrase)


def _demo_passphrase(path: Path) -> bytes:
    """Without ECARD_KEY_PASSPHRASE the keys are encrypted with a generated passphrase
    kept beside them (owner-only). Fine for a demo; production sets the passphrase or
    uses PKCS#11 (docs/key-custody.md)."""
    if path.exists():
        return path.read_bytes().strip()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigurationError(f"cannot create {path}: {exc.strerror}") from exc
    value = secrets.token_urlsafe(32).encode()
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
    return value
