"""The access policy: weekly schedules, access groups (people), door groups (readers)
and the rules joining them. Administrators edit; auditors read."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from admin_ui import units
from admin_ui.console import ConsoleState
from admin_ui.errors import FormRejected
from admin_ui.forms import domain_error, field_errors, text
from admin_ui.i18n import N_, gettext_for
from admin_ui.pages.dashboard import all_readers
from admin_ui.permissions import ACCESS_MANAGE, ACCESS_READ
from admin_ui.security.context import PostedForm, Viewer, acting, allowed
from card_service.access import groups
from card_service.access import service as access
from card_service.access.schemas import AccessScheduleIn, GroupIn, GroupOut, MemberIn, RuleIn
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.errors import CardServiceError, NotFoundError
from card_service.holders import service as holders
from card_service.holders.schemas import HolderQuery
from card_service.pagination import PageParams

router = APIRouter(prefix="/access")
Reader = Annotated[Viewer, Depends(allowed(ACCESS_READ))]
Manager = Annotated[Viewer, Depends(acting(ACCESS_MANAGE))]
GROUP_KINDS = {"groups": N_("Access group (people)"), "door-groups": N_("Door group (readers)")}


def _context(session: Session, viewer: Viewer) -> dict[str, Any]:
    # The console shows the viewer's whole policy on one page, so it asks without paging.
    schedules, _ = access.list_schedules(session, viewer.principal)
    access_groups, _ = groups.list_access_groups(session, viewer.principal)
    door_groups, _ = groups.list_door_groups(session, viewer.principal)
    rules, _ = access.list_rules(session, viewer.principal)
    return {
        "section": "access",
        "schedules": schedules,
        "access_groups": [GroupOut.model_validate(group) for group in access_groups],
        "door_groups": [GroupOut.model_validate(group) for group in door_groups],
        "rules": rules,
        "readers": all_readers(session, viewer.principal) if viewer.can.access_manage else [],
        "units": units.choices(session, viewer.principal, ACCESS_MANAGE),
        "unit_names": units.names(session, viewer.principal),
        "group_kinds": GROUP_KINDS,
        "values": {},
        "errors": {},
    }


@router.get("")
def access_page(
    request: Request, console: ConsoleState, session: DbSession, viewer: Reader
) -> Response:
    return console.renderer.page(request, "access/index.html", _context(session, viewer))


def _rejected(
    request: Request,
    console: ConsoleState,
    session: Session,
    viewer: Viewer,
    form: FormData,
    errors: dict[str, str],
) -> FormRejected:
    context = _context(session, viewer)
    context["values"] = {key: text(form, key) for key in form}
    context["values"]["s_days"] = [str(day) for day in form.getlist("s_days")]
    context["errors"] = errors
    return FormRejected(console.renderer.page(request, "access/index.html", context))


def _prefixed(errors: dict[str, str], prefix: str, names: dict[str, str]) -> dict[str, str]:
    return {names.get(key, f"{prefix}_{key}"): value for key, value in errors.items()}


@router.post("/schedules")
def create_schedule(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    days = [str(day) for day in form.getlist("s_days")]
    start, end = text(form, "s_start"), text(form, "s_end")
    gettext = gettext_for(request)
    errors: dict[str, str] = {}
    if not days:
        errors["s_days"] = gettext.gettext(N_("Choose at least one day."))
    for name, value in (("s_start", start), ("s_end", end)):
        if not value:
            errors[name] = gettext.gettext(N_("Enter a time as hh:mm."))
    windows = [{"weekday": day, "start": start, "end": end} for day in days]
    names = {"windows": "s_start", "name": "s_name"}
    try:
        body = AccessScheduleIn.model_validate(
            {
                "name": text(form, "s_name"),
                "windows": windows,
                "closed_on_holidays": bool(form.get("s_holidays")),
            }
        )
    except ValidationError as exc:
        errors = {**_prefixed(field_errors(exc, gettext), "s", names), **errors}
    if errors:
        raise _rejected(request, console, session, viewer, form, errors)
    try:
        access.create_schedule(session, viewer.principal, body, now=now)
    except CardServiceError as exc:
        errors = _prefixed(domain_error(exc, gettext), "s", names)
        raise _rejected(request, console, session, viewer, form, errors) from exc
    return RedirectResponse("/admin/access?notice=saved", status_code=303)


@router.post("/groups")
def create_group(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    kind = text(form, "g_kind") if text(form, "g_kind") in GROUP_KINDS else "groups"
    names = {"name": "g_name", "unit_id": "g_unit"}
    gettext = gettext_for(request)
    try:
        body = GroupIn.model_validate(
            {"name": text(form, "g_name"), "unit_id": text(form, "g_unit")}
        )
        if kind == "door-groups":
            groups.create_door_group(session, viewer.principal, body, now=now)
        else:
            groups.create_access_group(session, viewer.principal, body, now=now)
    except ValidationError as exc:
        errors = _prefixed(field_errors(exc, gettext), "g", names)
        raise _rejected(request, console, session, viewer, form, errors) from exc
    except CardServiceError as exc:
        errors = _prefixed(domain_error(exc, gettext), "g", names)
        raise _rejected(request, console, session, viewer, form, errors) from exc
    return RedirectResponse("/admin/access?notice=saved", status_code=303)


@router.post("/rules")
def create_rule(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    names = {
        "name": "r_name",
        "access_group_id": "r_access",
        "door_group_id": "r_door",
        "schedule_id": "r_schedule",
    }
    gettext = gettext_for(request)
    try:
        body = RuleIn.model_validate(
            {
                "name": text(form, "r_name"),
                "access_group_id": text(form, "r_access"),
                "door_group_id": text(form, "r_door"),
                "schedule_id": text(form, "r_schedule"),
            }
        )
        access.create_rule(session, viewer.principal, body, now=now)
    except ValidationError as exc:
        errors = _prefixed(field_errors(exc, gettext), "r", names)
        raise _rejected(request, console, session, viewer, form, errors) from exc
    except CardServiceError as exc:
        errors = _prefixed(domain_error(exc, gettext), "r", names)
        raise _rejected(request, console, session, viewer, form, errors) from exc
    return RedirectResponse("/admin/access?notice=saved", status_code=303)


@router.get("/groups/{group_id}")
def group_page(
    group_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Reader,
) -> Response:
    return console.renderer.page(
        request, "access/group.html", _group_context(session, viewer, group_id, {}, {})
    )


def _group_context(
    session: Session,
    viewer: Viewer,
    group_id: uuid.UUID,
    values: dict[str, str],
    errors: dict[str, str],
) -> dict[str, Any]:
    group = GroupOut.model_validate(groups.get_access_group(session, viewer.principal, group_id))
    members, _ = access.list_members(session, viewer.principal, group_id)
    people = {
        member.holder_id: holders.get_holder(session, viewer.principal, member.holder_id)
        for member in members
    }
    return {
        "section": "access",
        "group": group,
        "members": members,
        "people": people,
        "values": values,
        "errors": errors,
    }


@router.post("/groups/{group_id}/members")
def add_member(
    group_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    values = {name: text(form, name) for name in ("staff_number", "valid_from", "valid_until")}
    gettext = gettext_for(request)

    def rejected(errors: dict[str, str]) -> FormRejected:
        context = _group_context(session, viewer, group_id, values, errors)
        return FormRejected(console.renderer.page(request, "access/group.html", context))

    found, _ = holders.list_holders(
        session,
        viewer.principal,
        HolderQuery(staff_number=values["staff_number"][:32] or None),
        PageParams(limit=1, offset=0),
    )
    if not values["staff_number"] or not found:
        raise rejected({"staff_number": gettext.gettext(N_("No such holder in your units."))})
    try:
        body = MemberIn.model_validate(
            {
                "holder_id": found[0].id,
                "valid_from": values["valid_from"] or None,
                "valid_until": values["valid_until"] or None,
            }
        )
        access.set_member(session, viewer.principal, group_id, body, now=now)
    except ValidationError as exc:
        raise rejected(field_errors(exc, gettext)) from exc
    except CardServiceError as exc:
        raise rejected(domain_error(exc, gettext)) from exc
    return RedirectResponse(f"/admin/access/groups/{group_id}?notice=saved", status_code=303)


@router.post("/door-groups/{group_id}/doors")
def add_door(
    group_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    try:
        reader_id = uuid.UUID(text(form, "reader_id"))
    except ValueError as exc:
        raise NotFoundError("no such reader") from exc
    access.add_door(session, viewer.principal, group_id, reader_id, now=now)
    return RedirectResponse("/admin/access?notice=saved", status_code=303)
