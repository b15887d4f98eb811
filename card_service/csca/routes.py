"""``GET /api/v1/reader/csca``: the curated CSCA material, for counter readers.

Signed with the reader-configuration key (the reader checks it with the keys it got at
enrolment, and keeps it on disk); header ``X-Csca-Sequence`` says how current it is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from card_service.access.context import AccessContext
from card_service.clock import Now
from card_service.csca.service import csca_list_sequence, signed_csca_list
from card_service.db.session import DbSession
from card_service.media_types import SIGNED_JSON, signed_document
from card_service.problems import Problem
from card_service.readers.dependencies import CurrentReader
from card_service.service_usage.errors import CounterReaderRequiredError
from reader_protocol.enrolment import ReaderMode

router = APIRouter(prefix="/reader", tags=["reader protocol"])


async def _access(request: Request) -> AccessContext:
    context: AccessContext = request.app.state.access
    return context


@router.get(
    "/csca",
    response_class=Response,
    responses={
        **signed_document(
            "The signed CSCA list (document type hue-ecard/csca-list)",
            {"X-Csca-Sequence": "How current the list is"},
        ),
        401: {"model": Problem},
        403: {"model": Problem},
    },
)
def reader_csca(
    reader: CurrentReader,
    session: DbSession,
    now: Now,
    access: Annotated[AccessContext, Depends(_access)],
) -> Response:
    """The trusted CSCAs and CRLs (reader_protocol.counter.CscaList, signed)."""
    if reader.mode is not ReaderMode.COUNTER:
        raise CounterReaderRequiredError(f"reader {reader.id} is a {reader.mode.value} reader")
    document = signed_csca_list(session, access.signer, now=now)
    return Response(
        document,
        media_type=SIGNED_JSON,
        headers={"X-Csca-Sequence": str(csca_list_sequence(session))},
    )
