"""``/api/v1/audit``: auditors and administrators read, filter and verify the log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from card_service.audit import service
from card_service.audit.context import AuditContext
from card_service.audit.schemas import AuditEntryOut, ChainBreak, ChainStatus
from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.db.session import DbSession
from card_service.pagination import Page, Paging, paginate
from card_service.users.models import Role
from crypto.errors import AuditChainBrokenError

router = APIRouter(prefix="/audit", tags=["audit"])
AuditReader = Annotated[Principal, Depends(requires(Role.AUDITOR, Role.ADMIN))]


@router.get("", response_model=Page[AuditEntryOut])
def list_entries(
    principal: AuditReader,
    session: DbSession,
    paging: Paging,
    actor: Annotated[str | None, Query(max_length=255)] = None,
    action: Annotated[
        str | None, Query(max_length=64, description="e.g. card.revoke, or card. for all card")
    ] = None,
    object_type: Annotated[str | None, Query(max_length=64)] = None,
    object_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditEntryOut]:
    filters = service.AuditFilter(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
    )
    items, total = paginate(session, service.entry_query(filters), paging)
    return Page[AuditEntryOut](
        items=[AuditEntryOut.model_validate(e) for e in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/verification", response_model=ChainStatus)
def verify_chain(principal: AuditReader, session: DbSession, request: Request) -> ChainStatus:
    """Recompute the whole chain and check every signed checkpoint."""
    context: AuditContext = request.app.state.audit
    try:
        result = service.verify(session, keys=context.verification_keys)
    except AuditChainBrokenError as exc:
        return ChainStatus(
            intact=False,
            entries=0,
            head_seq=0,
            checkpoints_verified=0,
            broken=ChainBreak(seq=exc.seq, kind=exc.kind, detail=exc.detail),
        )
    return ChainStatus(
        intact=True,
        entries=result.count,
        head_seq=result.last_seq,
        checkpoints_verified=result.checkpoints_verified,
    )
