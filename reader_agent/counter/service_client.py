"""The counter endpoints of the service (reader_protocol.counter), on the reader's own
signed tokens. The document number goes only into ``start``'s body, over the same
authenticated connection as everything else (HTTPS in production)."""

from __future__ import annotations

import uuid
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from reader_agent.client.errors import UnexpectedAnswerError
from reader_agent.client.service import ServiceClient
from reader_protocol.counter import (
    CitizenSessionEnded,
    CitizenSessionStart,
    CitizenSessionStarted,
    CounterCatalogue,
    CounterStatus,
)

Model = TypeVar("Model", bound=BaseModel)


class CounterServiceClient(ServiceClient):
    """``ServiceClient`` plus the citizen desk's calls."""

    def counter_catalogue(self) -> CounterCatalogue:
        return _parse(CounterCatalogue, self._send("GET", "/reader/counter/catalogue").content)

    def counter_status(self) -> CounterStatus:
        return _parse(CounterStatus, self._send("GET", "/reader/counter/status").content)

    def start_citizen_session(self, request: CitizenSessionStart) -> CitizenSessionStarted:
        # model_dump_json, not a dict: nothing but the wire body ever holds the number.
        answer = self._send("POST", "/reader/counter/sessions", content=request.model_dump_json())
        return _parse(CitizenSessionStarted, answer.content)

    def end_citizen_session(self, session_id: uuid.UUID) -> CitizenSessionEnded:
        answer = self._send("POST", f"/reader/counter/sessions/{session_id}/end")
        return _parse(CitizenSessionEnded, answer.content)

    def csca_document(self) -> bytes:
        """The signed CSCA list (verified by ``csca_cache``)."""
        return self._send("GET", "/reader/csca").content


def _parse(model: type[Model], content: bytes) -> Model:
    try:
        return model.model_validate_json(content)
    except ValidationError as exc:
        raise UnexpectedAnswerError(f"unreadable {model.__name__} from the service") from exc
