"""The printable card of a card (PNG preview, PDF for the card printer)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from admin_ui import cardprint
from admin_ui.console import ConsoleState
from admin_ui.formatting import date_text
from admin_ui.i18n import N_, gettext_for, locale_of
from admin_ui.permissions import CARDS_MANAGE
from admin_ui.security.context import Viewer, allowed
from card_service.attendance.access import unit_in_scope
from card_service.cards import service as cards
from card_service.db.session import DbSession
from card_service.holders import service as holders
from card_service.holders.service import READ_ROLES as HOLDER_READ_ROLES

router = APIRouter(prefix="/cards")
Manager = Annotated[Viewer, Depends(allowed(CARDS_MANAGE))]
BACK_LINES = (
    N_("Tap the card on the reader at doors and attendance points."),
    N_("The card is personal: never lend it, never tell anyone your PIN."),
    N_("Lost or stolen? Tell your unit's administrator at once: it will be revoked."),
    N_("The QR code only identifies the card; it does not open any door."),
    N_("Found? Please return it to the People's Committee of Huế City."),
)


def _face(
    request: Request, session: Session, viewer: Viewer, card_id: uuid.UUID
) -> cardprint.CardFace:
    card = cards.get_card(session, viewer.principal, card_id, roles=CARDS_MANAGE)
    holder = holders.get_holder(session, viewer.principal, card.holder_id)
    unit = unit_in_scope(session, viewer.principal, holder.unit_id, HOLDER_READ_ROLES)
    gettext = gettext_for(request).gettext
    valid = date_text(card.valid_until.date(), locale_of(request)) if card.valid_until else "—"
    return cardprint.CardFace(
        issuer=gettext(N_("PEOPLE'S COMMITTEE OF HUẾ CITY")),
        title=gettext(N_("Civil servant card")),
        full_name=holder.full_name,
        unit_name=unit.name,
        position=holder.position or "",
        serial=card.serial,
        valid_until=gettext(N_("Valid until %(date)s")) % {"date": valid},
        back_title=gettext(N_("How to use this card")),
        back_lines=tuple(gettext(line) for line in BACK_LINES),
    )


@router.get("/{card_id}/print")
def print_page(
    card_id: uuid.UUID, request: Request, console: ConsoleState, session: DbSession, viewer: Manager
) -> Response:
    card = cards.get_card(session, viewer.principal, card_id, roles=CARDS_MANAGE)
    return console.renderer.page(request, "cards/print.html", {"section": "cards", "card": card})


@router.get("/{card_id}/card.png")
def card_png(card_id: uuid.UUID, request: Request, session: DbSession, viewer: Manager) -> Response:
    face = _face(request, session, viewer, card_id)
    return Response(cardprint.png(face), media_type="image/png")


@router.get("/{card_id}/card.pdf")
def card_pdf(card_id: uuid.UUID, request: Request, session: DbSession, viewer: Manager) -> Response:
    face = _face(request, session, viewer, card_id)
    return Response(
        cardprint.pdf(face),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="the-{face.serial}.pdf"'},
    )
