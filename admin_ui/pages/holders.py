"""Holders: search (any case, any diacritics), create, edit, and a holder's page."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from admin_ui import units
from admin_ui.console import ConsoleState
from admin_ui.errors import FormRejected
from admin_ui.forms import FORM_LEVEL, domain_error, field_errors, optional, text
from admin_ui.i18n import N_, gettext_for
from admin_ui.permissions import CARDS_READ, HOLDERS_READ, HOLDERS_WRITE
from admin_ui.security.context import PostedForm, Viewer, acting, allowed
from card_service.cards import service as cards
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.errors import CardServiceError
from card_service.holders import service as holders
from card_service.holders.schemas import HolderCreate, HolderQuery, HolderUpdate
from card_service.pagination import PageParams

router = APIRouter(prefix="/holders")
Reader = Annotated[Viewer, Depends(allowed(HOLDERS_READ))]
Writer = Annotated[Viewer, Depends(acting(HOLDERS_WRITE))]
WriterPage = Annotated[Viewer, Depends(allowed(HOLDERS_WRITE))]
PAGE_SIZE = 25
FIELDS = ("kind", "staff_number", "full_name", "unit_id", "position", "email", "phone")
_MAX_QUERY = 100


@router.get("")
def list_holders(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Reader,
    q: str = "",
    unit_id: str = "",
    offset: int = 0,
) -> Response:
    unit = _uuid(unit_id)
    filters = HolderQuery(q=q.strip()[:_MAX_QUERY] or None, unit_id=unit)
    found, total = holders.list_holders(
        session, viewer.principal, filters, PageParams(limit=PAGE_SIZE, offset=max(offset, 0))
    )
    return console.renderer.page(
        request,
        "holders/list.html",
        {
            "section": "holders",
            "holders": found,
            "total": total,
            "offset": max(offset, 0),
            "limit": PAGE_SIZE,
            "q": q,
            "unit_id": unit_id,
            "units": units.choices(session, viewer.principal, HOLDERS_READ),
            "unit_names": units.names(session, viewer.principal),
        },
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _form_page(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Viewer,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    holder: Any = None,
) -> Response:
    return console.renderer.page(
        request,
        "holders/form.html",
        {
            "section": "holders",
            "values": values,
            "errors": errors,
            "holder": holder,
            "units": units.choices(session, viewer.principal, HOLDERS_WRITE),
        },
    )


@router.get("/new")
def new_holder_form(
    request: Request, console: ConsoleState, session: DbSession, viewer: WriterPage
) -> Response:
    values = dict.fromkeys(FIELDS, "") | {"kind": "staff"}
    return _form_page(request, console, session, viewer, values=values, errors={})


def _values(form: FormData) -> dict[str, Any]:
    return {name: text(form, name) for name in FIELDS}


@router.post("/new")
def create_holder(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Writer,
    form: PostedForm,
) -> Response:
    values = _values(form)
    gettext = gettext_for(request)
    errors: dict[str, str] = {}
    data = {k: v for k, v in values.items() if v}
    if values["kind"] != "citizen" and not values["staff_number"]:
        errors["staff_number"] = gettext.gettext(N_("Staff holders need a staff number."))
    try:
        body = HolderCreate.model_validate(data)
    except ValidationError as exc:
        errors = {**field_errors(exc, gettext), **errors}
    if errors:
        errors.pop(FORM_LEVEL, None)
        raise FormRejected(
            _form_page(request, console, session, viewer, values=values, errors=errors)
        )
    try:
        holder = holders.create_holder(session, viewer.principal, body, now=now)
    except CardServiceError as exc:
        raise FormRejected(
            _form_page(
                request, console, session, viewer, values=values, errors=domain_error(exc, gettext)
            )
        ) from exc
    return RedirectResponse(f"/admin/holders/{holder.id}?notice=saved", status_code=303)


@router.get("/{holder_id}")
def holder_page(
    holder_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Reader,
) -> Response:
    holder = holders.get_holder(session, viewer.principal, holder_id)
    holder_cards: list[Any] = []
    if viewer.may(CARDS_READ):
        holder_cards, _ = cards.list_cards(
            session, viewer.principal, PageParams(limit=50, offset=0), holder_id=holder.id
        )
    return console.renderer.page(
        request,
        "holders/detail.html",
        {
            "section": "holders",
            "holder": holder,
            "cards": holder_cards,
            "unit_names": units.names(session, viewer.principal),
        },
    )


@router.get("/{holder_id}/edit")
def edit_holder_form(
    holder_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: WriterPage,
) -> Response:
    holder = holders.get_holder(session, viewer.principal, holder_id, roles=HOLDERS_WRITE)
    values = {name: getattr(holder, name) or "" for name in FIELDS}
    values["kind"] = holder.kind.value
    values["version"] = holder.version
    return _form_page(request, console, session, viewer, values=values, errors={}, holder=holder)


@router.post("/{holder_id}/edit")
def edit_holder(
    holder_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Writer,
    form: PostedForm,
) -> Response:
    holder = holders.get_holder(
        session, viewer.principal, holder_id, roles=HOLDERS_WRITE, for_update=True
    )
    gettext = gettext_for(request)
    values = _values(form)
    values["kind"] = holder.kind.value
    values["staff_number"] = holder.staff_number or ""
    values["version"] = text(form, "version")

    def rejected(errors: dict[str, str]) -> FormRejected:
        page = _form_page(
            request, console, session, viewer, values=values, errors=errors, holder=holder
        )
        return FormRejected(page)

    if values["version"] != str(holder.version):
        # The console's If-Match: someone saved this holder since the form was opened.
        raise rejected(
            {FORM_LEVEL: gettext.gettext(N_("Someone changed this at the same time; try again."))}
        )
    changes = {
        "full_name": values["full_name"] or None,
        "unit_id": values["unit_id"] or None,
        "position": optional(form, "position"),
        "email": optional(form, "email"),
        "phone": optional(form, "phone"),
    }
    errors: dict[str, str] = {}
    if not values["full_name"]:
        errors["full_name"] = gettext.gettext(N_("This field is required."))
    try:
        body = HolderUpdate.model_validate(changes)
    except ValidationError as exc:
        errors = {**field_errors(exc, gettext), **errors}
    if errors:
        raise rejected(errors)
    try:
        holders.update_holder(session, viewer.principal, holder, body, now=now)
    except CardServiceError as exc:
        raise rejected(domain_error(exc, gettext)) from exc
    return RedirectResponse(f"/admin/holders/{holder.id}?notice=saved", status_code=303)
