"""Cards: look-up, request, the card's page (polling its state while it is issued),
and the lifecycle actions, each with a reason and a confirmation step."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from admin_ui.audit_view import actor_names
from admin_ui.console import ConsoleState
from admin_ui.errors import FormRejected, NotAllowed
from admin_ui.forms import domain_error, field_errors, text
from admin_ui.i18n import N_, gettext_for
from admin_ui.permissions import CARDS_MANAGE, CARDS_READ
from admin_ui.security.context import PostedForm, Viewer, acting, allowed
from card_service.cards import service as cards
from card_service.cards.lifecycle import Action, allowed_actions
from card_service.cards.schemas import (
    CardRequest,
    CardState,
    ReasonedChange,
    ReplaceReason,
    ReplaceRequest,
    RevokeReason,
    RevokeRequest,
    TransitionReason,
)
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.errors import CardServiceError
from card_service.holders import service as holders
from card_service.issuance import service as issuance
from card_service.pagination import PageParams
from card_service.pki.dependencies import Pki

router = APIRouter(prefix="/cards")
Reader = Annotated[Viewer, Depends(allowed(CARDS_READ))]
ManagerPage = Annotated[Viewer, Depends(allowed(CARDS_MANAGE))]
Manager = Annotated[Viewer, Depends(acting(CARDS_MANAGE))]
PAGE_SIZE = 25
IN_ISSUANCE = (CardState.REQUESTED, CardState.PERSONALISING)


@dataclass(frozen=True)
class CardAction:
    """One of the officer's actions on a card: which reasons it takes, what it says."""

    name: str
    reasons: tuple[str, ...]  # empty: free-text comment only
    title: str
    confirm: str
    notice: str
    danger: bool


ACTIONS = {
    "suspend": CardAction(
        "suspend", (), N_("Suspend the card"), N_("Yes, suspend it"), "suspended", danger=False
    ),
    "resume": CardAction(
        "resume", (), N_("Resume the card"), N_("Yes, resume it"), "resumed", danger=False
    ),
    "revoke": CardAction(
        "revoke",
        tuple(reason.value for reason in RevokeReason),
        N_("Revoke the card"),
        N_("Yes, revoke it for good"),
        "revoked",
        danger=True,
    ),
    "replace": CardAction(
        "replace",
        tuple(reason.value for reason in ReplaceReason),
        N_("Replace the card"),
        N_("Yes, revoke it and request a new one"),
        "replaced",
        danger=True,
    ),
}


def shown_actions(state: CardState) -> list[str]:
    """The officer's actions the state machine allows now (replace: when revoke is)."""
    possible = {action.value for action in allowed_actions(state)}
    names: list[str] = [name for name in ("suspend", "resume", "revoke") if name in possible]
    if "revoke" in possible and state not in IN_ISSUANCE:
        names.append("replace")
    return names


@router.get("")
def list_cards(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Reader,
    serial: str = "",
    state: str = "",
    offset: int = 0,
) -> Response:
    wanted = CardState(state) if state in {s.value for s in CardState} else None
    found, total = cards.list_cards(
        session,
        viewer.principal,
        PageParams(limit=PAGE_SIZE, offset=max(offset, 0)),
        state=wanted,
        serial=serial.strip()[:32] or None,
    )
    names = {
        card.holder_id: holders.get_holder(session, viewer.principal, card.holder_id).full_name
        for card in found
    }
    return console.renderer.page(
        request,
        "cards/list.html",
        {
            "section": "cards",
            "cards": found,
            "holder_names": names,
            "total": total,
            "offset": max(offset, 0),
            "limit": PAGE_SIZE,
            "serial": serial,
            "state": state,
            "states": [s.value for s in CardState],
        },
    )


@router.post("/request")
def request_card(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    try:
        body = CardRequest.model_validate({"holder_id": text(form, "holder_id")})
        card = cards.request_card(
            session,
            viewer.principal,
            body.holder_id,
            technology=body.technology,
            comment=None,
            now=now,
        )
    except (ValidationError, CardServiceError) as exc:
        message = (
            domain_error(exc, gettext_for(request))
            if isinstance(exc, CardServiceError)
            else field_errors(exc, gettext_for(request))
        )
        raise FormRejected(
            console.renderer.page(
                request,
                "error.html",
                {"title": N_("Conflict"), "message": next(iter(message.values()))},
            )
        ) from exc
    return RedirectResponse(f"/admin/cards/{card.id}?notice=requested", status_code=303)


def _card_context(session: DbSession, viewer: Viewer, card_id: uuid.UUID) -> dict[str, Any]:
    card = cards.get_card(session, viewer.principal, card_id)
    holder = holders.get_holder(session, viewer.principal, card.holder_id)
    return {
        "section": "cards",
        "card": card,
        "holder": holder,
        "polling": card.state in IN_ISSUANCE,
        "actions": shown_actions(card.state) if viewer.can.cards_manage else [],
        "can_cancel": viewer.can.cards_manage and card.state is CardState.PERSONALISING,
    }


@router.get("/{card_id}")
def card_page(
    card_id: uuid.UUID, request: Request, console: ConsoleState, session: DbSession, viewer: Reader
) -> Response:
    context = _card_context(session, viewer, card_id)
    context["history"] = cards.history(session, context["card"])
    context["actors"] = actor_names(
        session, viewer.principal, (s.actor for s in context["history"])
    )
    return console.renderer.page(request, "cards/detail.html", context)


@router.get("/{card_id}/state")
def card_state(
    card_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Reader,
    shown: str = "",
) -> Response:
    """The state badge, polled by htmx while the card is being issued; when the state
    differs from what the page shows, the page reloads to show the new actions."""
    context = _card_context(session, viewer, card_id)
    changed = shown and shown != context["card"].state.value
    headers = {"HX-Redirect": f"/admin/cards/{card_id}"} if changed else {}
    return console.renderer.page(request, "cards/_state.html", context, headers=headers)


@router.post("/{card_id}/cancel-issuance")
def cancel_issuance(
    card_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    pki: Pki,
    now: Now,
    viewer: Manager,
) -> Response:
    card = cards.get_card(session, viewer.principal, card_id, roles=CARDS_MANAGE, for_update=True)
    issuance.cancel(session, pki, card, actor=viewer.principal.actor, now=now)
    return RedirectResponse(f"/admin/cards/{card_id}?notice=cancelled", status_code=303)


def _action(name: str) -> CardAction:
    if name not in ACTIONS:
        raise NotAllowed
    return ACTIONS[name]


@router.get("/{card_id}/{action}")
def action_form(
    card_id: uuid.UUID,
    action: str,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: ManagerPage,
) -> Response:
    chosen = _action(action)
    context = _card_context(session, viewer, card_id)
    return _action_page(request, console, context, chosen, values={}, errors={})


def _action_page(
    request: Request,
    console: ConsoleState,
    context: dict[str, Any],
    action: CardAction,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    confirming: bool = False,
) -> Response:
    template = "cards/confirm.html" if confirming else "cards/action.html"
    return console.renderer.page(
        request, template, {**context, "action": action, "values": values, "errors": errors}
    )


@router.post("/{card_id}/{action}")
def apply_action(
    card_id: uuid.UUID,
    action: str,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    pki: Pki,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    chosen = _action(action)
    context = _card_context(session, viewer, card_id)
    values = {"reason": text(form, "reason"), "comment": text(form, "comment")}
    gettext = gettext_for(request)
    try:
        reason = _validated(chosen, values)
    except ValidationError as exc:
        errors = field_errors(exc, gettext)
        raise FormRejected(
            _action_page(request, console, context, chosen, values=values, errors=errors)
        ) from exc
    if form.get("confirm") != "yes":
        # First submission: show what will happen and ask once more.
        return _action_page(
            request, console, context, chosen, values=values, errors={}, confirming=True
        )
    try:
        _apply(session, pki, viewer, card_id, chosen, reason, values["comment"], now)
    except CardServiceError as exc:
        raise FormRejected(
            _action_page(
                request,
                console,
                context,
                chosen,
                values=values,
                errors=domain_error(exc, gettext),
            )
        ) from exc
    return RedirectResponse(f"/admin/cards/{card_id}?notice={chosen.notice}", status_code=303)


def _validated(action: CardAction, values: dict[str, str]) -> TransitionReason:
    if action.name == "revoke":
        revoke = RevokeRequest.model_validate(values)
        return TransitionReason(revoke.reason.value)
    if action.name == "replace":
        replace = ReplaceRequest.model_validate(values)
        return TransitionReason(replace.reason.value)
    ReasonedChange.model_validate({"comment": values["comment"]})
    return TransitionReason.SUSPENDED if action.name == "suspend" else TransitionReason.RESUMED


def _apply(
    session: DbSession,
    pki: Pki,
    viewer: Viewer,
    card_id: uuid.UUID,
    action: CardAction,
    reason: TransitionReason,
    comment: str,
    now: Now,
) -> None:
    card = cards.get_card(session, viewer.principal, card_id, roles=CARDS_MANAGE, for_update=True)
    if action.name == "replace":
        cards.replace_card(
            session, pki, viewer.principal, card, reason=reason, comment=comment, now=now
        )
        return
    cards.apply_transition(
        session,
        pki,
        card,
        Action(action.name),
        reason=reason,
        comment=comment,
        actor=viewer.principal.actor,
        now=now,
    )
