"""Readers: register one (its one-time enrolment token shown once, as text and as a QR
code), status, last heartbeat, queue depth and revocation-list freshness."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from admin_ui import qr, units
from admin_ui.console import ConsoleState
from admin_ui.errors import FormRejected
from admin_ui.figures import reader_health
from admin_ui.forms import domain_error, field_errors, text
from admin_ui.i18n import N_, gettext_for
from admin_ui.pages.dashboard import all_readers, crl_facts
from admin_ui.permissions import READERS_MANAGE, READERS_READ
from admin_ui.security.context import PostedForm, Viewer, acting, allowed
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.errors import CardServiceError
from card_service.readers import service as readers
from card_service.readers.schemas import ReaderCreate
from reader_protocol.enrolment import ReaderMode

router = APIRouter(prefix="/readers")
Viewer_ = Annotated[Viewer, Depends(allowed(READERS_READ))]
ManagerPage = Annotated[Viewer, Depends(allowed(READERS_MANAGE))]
Manager = Annotated[Viewer, Depends(acting(READERS_MANAGE))]
FIELDS = ("name", "site_unit_id", "location", "mode")


@router.get("")
def list_readers(
    request: Request, console: ConsoleState, session: DbSession, now: Now, viewer: Viewer_
) -> Response:
    found = all_readers(session, viewer.principal)
    crl = crl_facts(request, session, found)
    rows = [(r, reader_health(r, crl, now)) for r in found]
    return console.renderer.page(
        request,
        "readers/list.html",
        {
            "section": "readers",
            "rows": rows,
            "unit_names": units.names(session, viewer.principal),
        },
    )


def _form(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Viewer,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    return console.renderer.page(
        request,
        "readers/form.html",
        {
            "section": "readers",
            "values": values,
            "errors": errors,
            "units": units.choices(session, viewer.principal, READERS_MANAGE),
            "modes": [mode.value for mode in ReaderMode],
        },
    )


@router.get("/new")
def new_reader_form(
    request: Request, console: ConsoleState, session: DbSession, viewer: ManagerPage
) -> Response:
    return _form(request, console, session, viewer, dict.fromkeys(FIELDS, ""), {})


def _ticket(
    request: Request, console: ConsoleState, reader: Any, token: str, expires_at: Any
) -> Response:
    title = gettext_for(request).gettext(N_("Enrolment token as a QR code"))
    return console.renderer.page(
        request,
        "readers/ticket.html",
        {
            "section": "readers",
            "reader": reader,
            "token": token,
            "expires_at": expires_at,
            "qr": qr.svg(token, title=title),
        },
    )


@router.post("/new")
def register(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    values = {name: text(form, name) for name in FIELDS}
    gettext = gettext_for(request)
    try:
        body = ReaderCreate.model_validate({k: v for k, v in values.items() if v})
        reader, token, expires_at = readers.register_reader(
            session, viewer.principal, body, now=now
        )
    except ValidationError as exc:
        errors = field_errors(exc, gettext)
        raise FormRejected(_form(request, console, session, viewer, values, errors)) from exc
    except CardServiceError as exc:
        errors = domain_error(exc, gettext)
        if "unit_id" in errors:
            errors["site_unit_id"] = errors.pop("unit_id")
        raise FormRejected(_form(request, console, session, viewer, values, errors)) from exc
    # Shown once, never stored in clear: this page is the only place the token appears.
    return _ticket(request, console, reader, token, expires_at)


@router.get("/{reader_id}")
def reader_page(
    reader_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Viewer_,
) -> Response:
    reader = readers.get_reader(session, viewer.principal, reader_id)
    crl = crl_facts(request, session, [reader])
    return console.renderer.page(
        request,
        "readers/detail.html",
        {
            "section": "readers",
            "reader": reader,
            "health": reader_health(reader, crl, now),
            "crl": crl,
            "unit_names": units.names(session, viewer.principal),
        },
    )


@router.post("/{reader_id}/token")
def new_token(
    reader_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
) -> Response:
    reader = readers.get_reader(
        session, viewer.principal, reader_id, roles=READERS_MANAGE, for_update=True
    )
    token, expires_at = readers.new_enrolment_token(session, viewer.principal, reader, now=now)
    return _ticket(request, console, reader, token, expires_at)


@router.post("/{reader_id}/deregister")
def deregister(
    reader_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    reader = readers.get_reader(
        session, viewer.principal, reader_id, roles=READERS_MANAGE, for_update=True
    )
    if form.get("confirm") != "yes":
        return console.renderer.page(
            request, "readers/confirm.html", {"section": "readers", "reader": reader}
        )
    readers.deregister(session, viewer.principal, reader, now=now)
    return RedirectResponse(f"/admin/readers/{reader_id}?notice=saved", status_code=303)
