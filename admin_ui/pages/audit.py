"""The audit log with its chain verification status (auditors and administrators)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from admin_ui.audit_view import actor_names, details
from admin_ui.console import ConsoleState
from admin_ui.permissions import AUDIT_READ
from admin_ui.security.context import Viewer, allowed
from card_service.audit import service as audit
from card_service.audit.context import AuditContext
from card_service.db.session import DbSession
from card_service.pagination import PageParams, paginate
from crypto.errors import AuditChainBrokenError

router = APIRouter(prefix="/audit")
Auditor = Annotated[Viewer, Depends(allowed(AUDIT_READ))]
PAGE_SIZE = 50
_FILTER_MAX = 64


@router.get("")
def audit_log(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Auditor,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    offset: int = 0,
) -> Response:
    try:
        wanted_object = uuid.UUID(object_id) if object_id else None
    except ValueError:
        wanted_object = None
    filters = audit.AuditFilter(
        actor=actor.strip()[:255] or None,
        action=action.strip()[:_FILTER_MAX] or None,
        object_type=object_type.strip()[:_FILTER_MAX] or None,
        object_id=wanted_object,
    )
    entries, total = paginate(
        session, audit.entry_query(filters), PageParams(limit=PAGE_SIZE, offset=max(offset, 0))
    )
    return console.renderer.page(
        request,
        "audit.html",
        {
            "section": "audit",
            "entries": [(entry, details(entry.data)) for entry in entries],
            "actors": actor_names(session, viewer.principal, (e.actor for e in entries)),
            "total": total,
            "limit": PAGE_SIZE,
            "offset": max(offset, 0),
            "filters": {
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "actor": actor,
            },
        },
    )


@router.get("/verification")
def chain_status(
    request: Request, console: ConsoleState, session: DbSession, viewer: Auditor
) -> Response:
    """Walks the whole chain; the page loads it separately so it never waits for it."""
    context: AuditContext = request.app.state.audit
    try:
        result = audit.verify(session, keys=context.verification_keys)
    except AuditChainBrokenError as exc:
        status = {"intact": False, "seq": exc.seq, "kind": exc.kind, "detail": exc.detail}
    else:
        status = {
            "intact": True,
            "count": result.count,
            "last_seq": result.last_seq,
            "checkpoints": result.checkpoints_verified,
        }
    return console.renderer.page(request, "_chain_status.html", {"status": status})
