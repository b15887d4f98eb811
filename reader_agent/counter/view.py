"""The counter screen's JSON: what the clerk sees, built fresh for every request.

The face goes out only as a ``data:`` URL inside a ``Cache-Control: no-store`` answer
to the clerk's own browser on 127.0.0.1; nothing here is written anywhere. The number
is shown masked (its last four digits, to compare with the card in hand).
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reader_agent.client.errors import ServiceError
from reader_agent.counter import labels
from reader_agent.counter.citizen import CitizenRead
from reader_agent.counter.desk import CounterApi, DeskState
from reader_agent.emrtd.verdict import CheckStatus
from reader_protocol.counter import CounterCatalogue, CounterStatus, LegalBasis

SHOWN_DIGITS = 4
BROWSER_IMAGES = {"image/jpeg"}  # JPEG 2000 faces are not shown by most browsers


@dataclass
class _Cached:
    value: Any = None
    at: float = float("-inf")


class CounterInfo:
    """Catalogue and status from the service, cached briefly: the screen polls."""

    def __init__(
        self,
        api: CounterApi,
        *,
        status_seconds: float = 3.0,
        catalogue_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._ttl = {"status": status_seconds, "catalogue": catalogue_seconds}
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._cache = {"status": _Cached(), "catalogue": _Cached()}
        self.online = False

    def status(self) -> CounterStatus | None:
        value: CounterStatus | None = self._get("status", self._api.counter_status)
        return value

    def catalogue(self) -> CounterCatalogue | None:
        value: CounterCatalogue | None = self._get("catalogue", self._api.counter_catalogue)
        return value

    def invalidate(self) -> None:
        with self._lock:
            self._cache["status"] = _Cached()

    def _get(self, name: str, fetch: Callable[[], Any]) -> Any:
        with self._lock:
            cached = self._cache[name]
            if self._monotonic() - cached.at < self._ttl[name]:
                return cached.value
            try:
                value = fetch()
            except ServiceError:
                self.online = False
                self._cache[name] = _Cached(cached.value, self._monotonic())
                return cached.value
            self.online = True
            self._cache[name] = _Cached(value, self._monotonic())
            return value


def screen_state(
    state: DeskState,
    info: CounterInfo,
    *,
    default_legal_basis: LegalBasis | None,
    csca_count: int,
) -> dict[str, Any]:
    status = info.status()
    catalogue = info.catalogue()
    phase = "session" if state.session else "read" if state.read else "idle"
    return {
        "phase": phase,
        "online": info.online,
        "notice": state.notice,
        "csca_count": csca_count,
        "counter": status.model_dump(mode="json") if status is not None else None,
        "services": [s.model_dump() for s in catalogue.services] if catalogue else [],
        "legal_bases": [{"value": b.value, "label": labels.LEGAL_BASES[b]} for b in LegalBasis],
        "default_legal_basis": default_legal_basis.value if default_legal_basis else None,
        "citizen": citizen_view(state.read) if state.read is not None else None,
        "session": state.session.model_dump(mode="json") if state.session else None,
    }


def citizen_view(read: CitizenRead) -> dict[str, Any]:
    summary = read.summary
    face = read.unverified_face
    return {
        "name": read.unverified_name,
        "face": _data_url(face.mime_type, face.unverified_data) if face is not None else None,
        "face_hidden": face is not None and face.mime_type not in BROWSER_IMAGES,
        "number": _masked(read.unverified_number),
        "document_type": labels.DOCUMENT_TYPES.get(read.document_type)
        if read.document_type
        else None,
        "accepted": summary.accepted,
        "chip_auth": labels.CHIP_AUTH[summary.chip_auth],
        "checks": [
            {
                "name": check.name,
                "label": labels.CHECKS.get(check.name, check.name),
                "status": check.status.value,
                "status_label": labels.STATUSES[check.status.value],
                "detail": check.reason if check.status is not CheckStatus.PASSED else "",
            }
            for check in read.checks
        ],
        "reasons": [
            {"code": reason.value, "label": labels.REASONS[reason]} for reason in summary.reasons
        ],
    }


def _masked(number: str | None) -> str | None:
    if number is None:
        return None
    return "•" * max(0, len(number) - SHOWN_DIGITS) + number[-SHOWN_DIGITS:]


def _data_url(mime_type: str, data: bytes) -> str | None:
    if mime_type not in BROWSER_IMAGES:
        return None
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"
