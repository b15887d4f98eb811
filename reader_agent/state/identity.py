"""The enrolled reader: who it is (from the service's enrolment answer), the trust
anchors and configuration keys it was given, and its own P-256 signing key.

The key is a plain PKCS#8 PEM file readable by the agent's user only (mode 0600),
not a passphrase-encrypted ``FileSigner`` file: an unattended reader would have to
keep the passphrase next to the key, which protects nothing. Where the hardware has
a TPM or secure element, that is where the key belongs (docs/reader-agent.md).
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from crypto.errors import CryptoError
from crypto.keys import key_id, load_public_key_der
from reader_agent.state.errors import NotEnrolledError, StateError
from reader_agent.state.files import PRIVATE_FILE_MODE, read_optional, write_atomically
from reader_protocol.common import Base64Bytes
from reader_protocol.enrolment import EnrolmentResponse, ReaderMode

IDENTITY_FILE = "identity.json"
KEY_FILE = "reader-key.pem"


class StoredIdentity(BaseModel):
    """identity.json: the enrolment answer as the reader keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = "reader-agent-identity/1"
    reader_id: uuid.UUID
    name: str
    site_unit_id: uuid.UUID
    location: str
    mode: ReaderMode
    service_url: str
    enrolled_at: AwareDatetime
    root_certificates: list[Base64Bytes]
    config_keys: list[Base64Bytes]


@dataclass(frozen=True)
class ReaderIdentity:
    """An enrolled reader, ready to sign requests and verify what it is sent."""

    stored: StoredIdentity
    private_key: ec.EllipticCurvePrivateKey
    roots: tuple[x509.Certificate, ...]
    config_keys: dict[str, ec.EllipticCurvePublicKey]

    @property
    def reader_id(self) -> uuid.UUID:
        return self.stored.reader_id

    @property
    def mode(self) -> ReaderMode:
        return self.stored.mode

    def __repr__(self) -> str:  # never print the key
        return f"ReaderIdentity(reader_id={self.reader_id}, mode={self.mode.value})"


def create_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    """A new reader key, saved before it is ever sent anywhere."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomically(data_dir / KEY_FILE, pem)
    return key


def load_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    path = data_dir / KEY_FILE
    data = read_optional(path)
    if data is None:
        raise NotEnrolledError(f"no reader key in {data_dir}; run `reader-agent enrol` first")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & ~PRIVATE_FILE_MODE:
        raise StateError(f"{path} is readable by others (mode {mode:o}); chmod 600 it")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise StateError(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise StateError(f"{path} is not a P-256 key")
    return key


def identity_from_enrolment(
    response: EnrolmentResponse, *, service_url: str, enrolled_at: datetime
) -> StoredIdentity:
    return StoredIdentity(
        reader_id=response.reader_id,
        name=response.name,
        site_unit_id=response.site_unit_id,
        location=response.location,
        mode=response.mode,
        service_url=service_url,
        enrolled_at=enrolled_at,
        root_certificates=response.root_certificates,
        config_keys=response.config_keys,
    )


def save_identity(data_dir: Path, identity: StoredIdentity) -> None:
    write_atomically(data_dir / IDENTITY_FILE, identity.model_dump_json(indent=2).encode())


def is_enrolled(data_dir: Path) -> bool:
    return (data_dir / IDENTITY_FILE).exists()


def load_identity(data_dir: Path) -> ReaderIdentity:
    data = read_optional(data_dir / IDENTITY_FILE)
    if data is None:
        raise NotEnrolledError(f"{data_dir} holds no enrolled reader; run `reader-agent enrol`")
    try:
        stored = StoredIdentity.model_validate(json.loads(data))
    except (ValueError, ValidationError) as exc:
        raise StateError(f"{data_dir / IDENTITY_FILE} is damaged: {exc}") from exc
    private_key = load_key(data_dir)
    try:
        roots = tuple(x509.load_der_x509_certificate(der) for der in stored.root_certificates)
        keys = [load_public_key_der(der) for der in stored.config_keys]
    except (ValueError, CryptoError) as exc:
        raise StateError(f"{data_dir / IDENTITY_FILE} holds an unreadable key: {exc}") from exc
    return ReaderIdentity(
        stored=stored,
        private_key=private_key,
        roots=roots,
        config_keys={key_id(key): key for key in keys},
    )
