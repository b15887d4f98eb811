"""The citizen reference: a keyed, non-reversible stand-in for a document number.

``citizen_ref = HMAC-SHA256(key, issuing_state + "|" + normalised number)`` (hex). The
same card gives the same reference, so repeat visits can be counted; without the key
the reference cannot be turned back into a number, even though there are only 10^12
CCCD numbers to try. That is why the key lives in the service alone (a key on every
counter PC would be one theft away from an enumeration).

The key is ``ECARD_CITIZEN_REF_KEY`` (hex, at least 32 bytes) or 32 random bytes in
``data_dir/keys/citizen-ref.key`` (mode 0600), created the first time a reference is
needed. Replacing it breaks the link between visits before and after the change; the
references already stored stay as they are (docs/citizen-counter.md, rotation).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
import threading
from pathlib import Path

from card_service.errors import ConfigurationError
from card_service.settings import Settings
from reader_protocol.counter import normalise_document_number

KEY_BYTES = 32


class CitizenRefKey:
    """Computes citizen references. The constructor does no I/O; the key is read (or
    created) on first use, under a lock, so concurrent first requests agree."""

    def __init__(self, *, secret: bytes | None = None, key_file: Path | None = None) -> None:
        if secret is None and key_file is None:
            raise ValueError("a citizen reference key needs a secret or a key file")
        self._secret = secret
        self._key_file = key_file
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> CitizenRefKey:
        if settings.citizen_ref_key is not None:
            return cls(secret=_parse_secret(settings.citizen_ref_key.get_secret_value()))
        return cls(key_file=settings.effective_citizen_ref_key_file)

    def reference(self, issuing_state: str, document_number: str) -> str:
        message = f"{issuing_state.upper()}|{normalise_document_number(document_number)}"
        return hmac.new(self._key(), message.encode("ascii"), hashlib.sha256).hexdigest()

    def _key(self) -> bytes:
        with self._lock:
            if self._secret is None:
                assert self._key_file is not None  # noqa: S101 - guaranteed by __init__
                self._secret = _load_or_create(self._key_file)
            return self._secret


def _parse_secret(value: str) -> bytes:
    try:
        secret = bytes.fromhex(value.strip())
    except ValueError as exc:
        raise ConfigurationError("ECARD_CITIZEN_REF_KEY must be hexadecimal") from exc
    if len(secret) < KEY_BYTES:
        raise ConfigurationError(f"ECARD_CITIZEN_REF_KEY must hold at least {KEY_BYTES} bytes")
    return secret


def _load_or_create(path: Path) -> bytes:
    """The key in ``path``, or a new one. The new key is written to a temporary file
    and linked into place, so a second process never reads a half-written key."""
    if path.exists():
        return _read(path)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        secret = secrets.token_bytes(KEY_BYTES)
        try:
            with os.fdopen(handle, "wb") as stream:
                os.fchmod(stream.fileno(), 0o600)
                stream.write(secret)
                stream.flush()
                os.fsync(stream.fileno())
            os.link(temporary, path)
        finally:
            os.unlink(temporary)
    except FileExistsError:
        return _read(path)  # another process created it first: use theirs
    except OSError as exc:
        raise ConfigurationError(f"cannot create {path}: {exc.strerror}") from exc
    return secret


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_mode & 0o077:
            raise ConfigurationError(f"{path} must be readable by its owner only (chmod 600)")
        secret = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from exc
    if len(secret) < KEY_BYTES:
        raise ConfigurationError(f"{path} holds fewer than {KEY_BYTES} bytes")
    return secret
