"""What a virtual PIV card remembers between runs, and the file that carries it.

The state is one JSON document: PIN and PUK with their retry counters, the
management key, the private keys (PKCS#8 DER in base64: this is an emulator, the
file *is* the card's chip) and the data objects. It is written atomically (temp
file, fsync, rename), so a card killed mid-write keeps its previous state, and a
retry counter is saved before the card answers, as a real card's EEPROM would be.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reader_agent.errors import VirtualCardError
from reader_agent.piv.constants import Algorithm, ObjectId, Slot
from reader_agent.piv.management import DEFAULT_MANAGEMENT_KEY, ManagementKey
from reader_agent.piv.objects import Chuid, encode_discovery

STATE_FORMAT = "ecard-virtual-piv/1"
DEFAULT_PIN = "123456"
DEFAULT_PUK = "12345678"
DEFAULT_RETRIES = 3
BLANK_CHUID_YEARS = 5


@dataclass
class ReferenceData:
    """A PIN or PUK and its retry counter."""

    value: str
    retries_left: int = DEFAULT_RETRIES
    retries_max: int = DEFAULT_RETRIES

    @property
    def blocked(self) -> bool:
        return self.retries_left <= 0


@dataclass(frozen=True)
class StoredKey:
    algorithm: Algorithm
    private_pkcs8: bytes

    @classmethod
    def from_private_key(cls, algorithm: Algorithm, key: ec.EllipticCurvePrivateKey) -> StoredKey:
        der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(algorithm, der)

    def private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_der_private_key(self.private_pkcs8, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise VirtualCardError("stored key is not an EC key")
        return key


@dataclass
class PivCardState:
    card_uuid: uuid.UUID
    pin: ReferenceData
    puk: ReferenceData
    management_key: ManagementKey
    keys: dict[Slot, StoredKey] = field(default_factory=dict)
    objects: dict[int, bytes] = field(default_factory=dict)  # object id -> value

    @classmethod
    def blank(cls, *, card_uuid: uuid.UUID, today: date) -> PivCardState:
        """A card as it leaves the factory: default PIN, PUK and management key, no
        keys, no certificates; a CHUID naming its random GUID and a Discovery object."""
        expiration = date(today.year + BLANK_CHUID_YEARS, 12, 31)
        chuid = Chuid(guid=card_uuid, expiration=expiration)
        return cls(
            card_uuid=card_uuid,
            pin=ReferenceData(DEFAULT_PIN),
            puk=ReferenceData(DEFAULT_PUK),
            management_key=DEFAULT_MANAGEMENT_KEY,
            objects={ObjectId.CHUID: chuid.encode(), ObjectId.DISCOVERY: encode_discovery()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "card_uuid": str(self.card_uuid),
            "pin": _reference_to_json(self.pin),
            "puk": _reference_to_json(self.puk),
            "management_key": {
                "algorithm": self.management_key.algorithm.name,
                "key": self.management_key.key.hex(),
            },
            "keys": {
                f"{slot:02X}": {
                    "algorithm": key.algorithm.name,
                    "private_key_pkcs8": base64.b64encode(key.private_pkcs8).decode("ascii"),
                }
                for slot, key in sorted(self.keys.items())
            },
            "objects": {f"{tag:X}": value.hex() for tag, value in sorted(self.objects.items())},
        }

    @classmethod
    def from_json(cls, document: Any) -> PivCardState:
        """Rebuild a state; raise VirtualCardError for anything that is not one."""
        try:
            if document["format"] != STATE_FORMAT:
                raise VirtualCardError(f"unknown state format {document['format']!r}")
            management = document["management_key"]
            return cls(
                card_uuid=uuid.UUID(document["card_uuid"]),
                pin=_reference_from_json(document["pin"]),
                puk=_reference_from_json(document["puk"]),
                management_key=ManagementKey(
                    Algorithm[management["algorithm"]], bytes.fromhex(management["key"])
                ),
                keys={
                    Slot(int(slot, 16)): StoredKey(
                        Algorithm[key["algorithm"]],
                        base64.b64decode(key["private_key_pkcs8"], validate=True),
                    )
                    for slot, key in document["keys"].items()
                },
                objects={int(tag, 16): bytes.fromhex(v) for tag, v in document["objects"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise VirtualCardError(f"not a virtual PIV card state: {exc!r}") from exc


def _reference_to_json(reference: ReferenceData) -> dict[str, Any]:
    return {
        "value": reference.value,
        "retries_left": reference.retries_left,
        "retries_max": reference.retries_max,
    }


def _reference_from_json(document: dict[str, Any]) -> ReferenceData:
    value, left, most = document["value"], document["retries_left"], document["retries_max"]
    if not isinstance(value, str) or not isinstance(left, int) or not isinstance(most, int):
        raise TypeError("PIN/PUK entries are a string and two integers")
    return ReferenceData(value, left, most)


class StateStore(Protocol):
    def save(self, state: PivCardState) -> None: ...


class MemoryStateStore:
    """Keeps nothing: a card that is forgotten when its process ends."""

    def __init__(self) -> None:
        self.saves = 0

    def save(self, state: PivCardState) -> None:
        self.saves += 1


class StateFile:
    """A state in a JSON file, replaced atomically on every save."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> PivCardState | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise VirtualCardError(f"cannot read card state {self.path}: {exc}") from exc
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise VirtualCardError(f"card state {self.path} is not JSON: {exc}") from exc
        return PivCardState.from_json(document)

    def save(self, state: PivCardState) -> None:
        directory = self.path.parent
        payload = json.dumps(state.to_json(), indent=2, sort_keys=True).encode("utf-8")
        # mkstemp creates the file owner-only, as a file holding private keys should be.
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=directory)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            Path(temporary).replace(self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
