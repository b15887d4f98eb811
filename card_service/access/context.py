"""Reader configuration defaults and the key that signs configurations."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from card_service.keystore import KeyCustody, get_or_create
from card_service.settings import Settings
from crypto.signers import Signer

CONFIG_KEY_NAME = "reader-config"
_CACHE_SIZE = 512


@dataclass
class AccessContext:
    signer: Signer
    max_crl_age_seconds: int
    debounce_seconds: int
    door_release_ms: int
    holiday_horizon_days: int = 400
    emergency_group: str | None = None  # see docs/reader-agent.md, "Emergency section"
    emergency_extra_seconds: int = 72 * 3600
    # (reader, policy version) -> signed document: compiled once per change, not per fetch.
    _cache: OrderedDict[tuple[uuid.UUID, int], bytes] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings, custody: KeyCustody) -> AccessContext:
        return cls(
            signer=get_or_create(custody, CONFIG_KEY_NAME),
            max_crl_age_seconds=settings.reader_max_crl_age_hours * 3600,
            debounce_seconds=settings.reader_debounce_seconds,
            door_release_ms=round(settings.reader_door_release_seconds * 1000),
            emergency_group=settings.emergency_access_group,
            emergency_extra_seconds=settings.emergency_extra_hours * 3600,
        )

    def cached(self, key: tuple[uuid.UUID, int]) -> bytes | None:
        with self._lock:
            document = self._cache.get(key)
            if document is not None:
                self._cache.move_to_end(key)
            return document

    def remember(self, key: tuple[uuid.UUID, int], document: bytes) -> None:
        with self._lock:
            self._cache[key] = document
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
