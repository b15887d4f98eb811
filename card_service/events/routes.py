"""``POST /api/v1/events/batches``: a reader uploads its outbox (docs/event-ingest.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.events.errors import ReaderNotAuthenticatedError
from card_service.events.service import ingest_batch
from card_service.problems import Problem
from card_service.readers.models import Reader
from reader_protocol.events import EventBatch, IngestResult


def reader_authentication_not_wired() -> Reader:
    """Stand-in for the reader-JWT dependency of card_service.auth: until that is wired
    in here, every upload is refused (fail closed)."""
    raise ReaderNotAuthenticatedError("reader authentication is not configured")


UploadingReader = Annotated[Reader, Depends(reader_authentication_not_wired)]

router = APIRouter(prefix="/events", tags=["events"])


@router.post(
    "/batches",
    response_model=IngestResult,
    responses={401: {"model": Problem}, 403: {"model": Problem}},
    summary="Upload a batch of tap events (idempotent by event id)",
)
def upload_batch(
    batch: EventBatch, session: DbSession, reader: UploadingReader, now: Now
) -> IngestResult:
    return ingest_batch(session, reader, batch, now=now)
