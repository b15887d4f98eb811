"""``/api/v1/readers`` for administrators; ``/api/v1/reader`` for the readers themselves."""

from __future__ import annotations

import uuid
from typing import Annotated

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Depends, Request, Response

from card_service.access.compile import signed_config
from card_service.access.context import AccessContext
from card_service.access.versioning import current_version
from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.media_types import SIGNED_JSON, signed_document
from card_service.pagination import Page, Paging
from card_service.pki.authorities import root_certificates
from card_service.problems import Problem
from card_service.readers import service
from card_service.readers.dependencies import CurrentReader
from card_service.readers.models import ReaderState
from card_service.readers.schemas import EnrolmentTicket, ReaderCreate, ReaderOut
from card_service.trust.service import trust_state
from reader_protocol.enrolment import EnrolmentRequest, EnrolmentResponse
from reader_protocol.status import Heartbeat, HeartbeatAck

admin_router = APIRouter(prefix="/readers", tags=["readers"])
reader_router = APIRouter(prefix="/reader", tags=["reader protocol"])
Manager = Annotated[Principal, Depends(requires(*service.MANAGE_ROLES))]
Viewer = Annotated[Principal, Depends(requires(*service.READ_ROLES))]
NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": Problem}}


async def _access(request: Request) -> AccessContext:
    context: AccessContext = request.app.state.access
    return context


Access = Annotated[AccessContext, Depends(_access)]


@admin_router.get("", response_model=Page[ReaderOut])
def list_readers(
    principal: Viewer, session: DbSession, paging: Paging, state: ReaderState | None = None
) -> Page[ReaderOut]:
    items, total = service.list_readers(session, principal, paging, state=state)
    return Page[ReaderOut](
        items=[ReaderOut.model_validate(r) for r in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@admin_router.post("", response_model=EnrolmentTicket, status_code=201, responses=NOT_FOUND)
def register_reader(
    body: ReaderCreate, principal: Manager, session: DbSession, now: Now
) -> EnrolmentTicket:
    """Register a reader; the one-time enrolment token is shown only in this answer."""
    reader, token, expires_at = service.register_reader(session, principal, body, now=now)
    return EnrolmentTicket(
        reader=ReaderOut.model_validate(reader), enrolment_token=token, expires_at=expires_at
    )


@admin_router.get("/{reader_id}", response_model=ReaderOut, responses=NOT_FOUND)
def get_reader(reader_id: uuid.UUID, principal: Viewer, session: DbSession) -> ReaderOut:
    return ReaderOut.model_validate(service.get_reader(session, principal, reader_id))


@admin_router.post(
    "/{reader_id}/enrolment-token",
    response_model=EnrolmentTicket,
    responses={**NOT_FOUND, 409: {"model": Problem}},
)
def new_enrolment_token(
    reader_id: uuid.UUID, principal: Manager, session: DbSession, now: Now
) -> EnrolmentTicket:
    reader = service.get_reader(
        session, principal, reader_id, roles=service.MANAGE_ROLES, for_update=True
    )
    token, expires_at = service.new_enrolment_token(session, principal, reader, now=now)
    return EnrolmentTicket(
        reader=ReaderOut.model_validate(reader), enrolment_token=token, expires_at=expires_at
    )


@admin_router.post("/{reader_id}/deregister", response_model=ReaderOut, responses=NOT_FOUND)
def deregister_reader(
    reader_id: uuid.UUID, principal: Manager, session: DbSession, now: Now
) -> ReaderOut:
    """The reader is locked out at once: its next request is refused, and its open
    change feed ends within about a second."""
    reader = service.get_reader(
        session, principal, reader_id, roles=service.MANAGE_ROLES, for_update=True
    )
    return ReaderOut.model_validate(service.deregister(session, principal, reader, now=now))


@reader_router.post("/enrol", response_model=EnrolmentResponse, responses={403: {"model": Problem}})
def enrol(
    body: EnrolmentRequest, session: DbSession, now: Now, access: Access
) -> EnrolmentResponse:
    reader = service.enrol(session, body, now=now)
    der = serialization.Encoding.DER
    return EnrolmentResponse(
        reader_id=reader.id,
        name=reader.name,
        site_unit_id=reader.site_unit_id,
        location=reader.location,
        mode=reader.mode,
        root_certificates=[c.public_bytes(der) for c in root_certificates(session)],
        config_keys=[
            access.signer.public_key.public_bytes(
                der, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        ],
        server_time=now,
    )


@reader_router.post("/heartbeat", response_model=HeartbeatAck, responses={401: {"model": Problem}})
def heartbeat(body: Heartbeat, reader: CurrentReader, session: DbSession, now: Now) -> HeartbeatAck:
    offset = service.heartbeat(session, reader, body, now=now)
    current = trust_state(session, now=now)
    return HeartbeatAck(
        server_time=now,
        clock_offset_ms=offset,
        config_version=current.config_version,
        trust_bundle_sequence=current.trust_bundle_sequence,
        crl_numbers=current.crl_numbers,
    )


@reader_router.get(
    "/config",
    response_class=Response,
    responses={
        **signed_document(
            "The reader's signed configuration (document type hue-ecard/reader-config)",
            {"X-Config-Version": "The configuration version it was compiled from"},
        ),
        401: {"model": Problem},
    },
)
def reader_config(reader: CurrentReader, session: DbSession, now: Now, access: Access) -> Response:
    """This reader's signed offline configuration (reader_protocol.config)."""
    document = signed_config(session, access, reader, now=now)
    return Response(
        document,
        media_type=SIGNED_JSON,
        headers={"X-Config-Version": str(current_version(session))},
    )
