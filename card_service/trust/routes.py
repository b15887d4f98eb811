"""``/api/v1/trust``: public, signed trust material; ``/api/v1/reader/trust-events``:
the change feed a connected reader follows (server-sent events)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.media_types import DER_CRL, PEM, binary_document, signed_document
from card_service.pki.authorities import latest_trust_bundle, root_certificates
from card_service.problems import Problem
from card_service.readers.dependencies import CurrentReader
from card_service.readers.watch import ReaderWatch
from card_service.trust import service
from card_service.trust.feed import TrustFeed
from reader_protocol.trust import CHANGE_FEED_EVENT, TrustState

router = APIRouter(prefix="/trust", tags=["trust"])
feed_router = APIRouter(prefix="/reader", tags=["reader protocol"])

KEEPALIVE_SECONDS = 15.0
NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": Problem}}
CRL_NUMBER = {"X-CRL-Number": "The CRL number of this list"}


@router.get("/state", response_model=TrustState)
def state(session: DbSession, now: Now) -> TrustState:
    return service.trust_state(session, now=now)


@router.get(
    "/bundle",
    response_class=Response,
    responses=signed_document(
        "The signed trust bundle (document type hue-ecard/trust-bundle)",
        {"X-Trust-Bundle-Sequence": "The bundle's sequence number"},
    ),
)
def trust_bundle(session: DbSession) -> Response:
    """The newest signed trust bundle (verify it against the root certificates)."""
    record = latest_trust_bundle(session)
    return Response(
        record.envelope,
        media_type="application/json",
        headers={"X-Trust-Bundle-Sequence": str(record.sequence)},
    )


@router.get(
    "/roots", response_class=Response, responses=binary_document(PEM, "Root certificates, PEM")
)
def roots(session: DbSession) -> Response:
    """Root certificates (PEM). Provision them out of band; this copy is for checking."""
    pem = b"".join(
        certificate.public_bytes(serialization.Encoding.PEM)
        for certificate in root_certificates(session)
    )
    return Response(pem, media_type=PEM)


@router.get(
    "/crls/{issuer_key_id}.crl",
    response_class=Response,
    responses={**binary_document(DER_CRL, "The complete CRL, DER", CRL_NUMBER), **NOT_FOUND},
)
def crl_der(issuer_key_id: str, session: DbSession) -> Response:
    """The newest complete CRL of an issuing CA, DER."""
    document = service.complete_crl(session, issuer_key_id)
    return Response(
        document.der, media_type=DER_CRL, headers={"X-CRL-Number": str(document.number)}
    )


@router.get(
    "/crls/{issuer_key_id}.pem",
    response_class=Response,
    responses={**binary_document(PEM, "The complete CRL, PEM", CRL_NUMBER), **NOT_FOUND},
)
def crl_pem(issuer_key_id: str, session: DbSession) -> Response:
    """The newest complete CRL of an issuing CA, PEM."""
    document = service.complete_crl(session, issuer_key_id)
    pem = x509.load_der_x509_crl(document.der).public_bytes(serialization.Encoding.PEM)
    return Response(pem, media_type=PEM, headers={"X-CRL-Number": str(document.number)})


@router.get(
    "/crls/{issuer_key_id}/delta",
    response_class=Response,
    responses={
        **binary_document(DER_CRL, "The newest delta CRL, DER", CRL_NUMBER),
        204: {"description": "The reader's CRL is current"},
        409: {"model": Problem},
        **NOT_FOUND,
    },
)
def crl_delta(
    issuer_key_id: str,
    session: DbSession,
    since: Annotated[int, Query(ge=0, description="The CRL number the reader holds")],
) -> Response:
    """What a reader holding number ``since`` needs: 204 when it is current, the newest
    delta CRL when that applies to it, 409 ``delta_unavailable`` when it must fetch the
    complete list."""
    document = service.delta_since(session, issuer_key_id, since)
    if document is None:
        return Response(status_code=204)
    return Response(
        document.der, media_type=DER_CRL, headers={"X-CRL-Number": str(document.number)}
    )


@feed_router.get(
    "/trust-events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events: `event: trust`, data a TrustState",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        401: {"model": Problem},
    },
)
async def trust_events(request: Request, reader: CurrentReader) -> StreamingResponse:
    """Server-sent events: one ``trust`` event now, and one whenever the trust bundle,
    a CRL or the configuration changes. The reader then fetches what is newer. The
    stream ends (within about a second) once the reader is deregistered."""
    feed: TrustFeed = request.app.state.trust_feed
    watch: ReaderWatch = request.app.state.reader_watch
    return StreamingResponse(
        _events(request, feed, watch, reader.id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(
    request: Request, feed: TrustFeed, watch: ReaderWatch, reader_id: uuid.UUID
) -> AsyncIterator[bytes]:
    states = feed.subscribe()
    pending: asyncio.Task[TrustState] | None = None
    with watch.watching(reader_id) as locked_out:
        lock_out = asyncio.ensure_future(locked_out.wait())
        try:
            while not await request.is_disconnected():
                if pending is None:
                    pending = asyncio.ensure_future(anext(states))
                done, _ = await asyncio.wait(
                    {pending, lock_out},
                    timeout=KEEPALIVE_SECONDS,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if lock_out in done:
                    # Deregistered since the stream opened: end it, so the reader's
                    # next request (a reconnection) meets the 401.
                    return
                if not done:
                    yield b": keep-alive\n\n"
                    continue
                state = pending.result()
                pending = None
                yield f"event: {CHANGE_FEED_EVENT}\ndata: {state.model_dump_json()}\n\n".encode()
        finally:
            lock_out.cancel()
            # The generator may be suspended inside anext(): let that finish cancelling
            # before closing it, or aclose() fails with "already running".
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await pending
            await states.aclose()
