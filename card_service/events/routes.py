"""``POST /api/v1/events/batches``: a reader uploads its outbox (docs/event-ingest.md)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.events.schemas import IncomingEventBatch
from card_service.events.service import ingest_upload
from card_service.problems import Problem
from card_service.readers.dependencies import CurrentReader
from reader_protocol.events import IngestResult

router = APIRouter(prefix="/events", tags=["events"])


@router.post(
    "/batches",
    response_model=IngestResult,
    responses={401: {"model": Problem}, 403: {"model": Problem}, 422: {"model": Problem}},
    summary="Upload a batch of tap events (idempotent by event id; bad events refused alone)",
)
def upload_batch(
    upload: IncomingEventBatch, session: DbSession, reader: CurrentReader, now: Now
) -> Response:
    result = ingest_upload(session, reader, upload, now=now)
    # Serialised once, here: the result was built by the service from validated parts,
    # and re-validating a thousand ids per batch shows in the ingest rate.
    return Response(result.model_dump_json(), media_type="application/json")
