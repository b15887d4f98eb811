"""The console's pages, one module per area; each route checks the roles it needs."""

from fastapi import APIRouter

from admin_ui.pages import attendance, audit, auth, card_print, cards, dashboard, holders, jobs

router = APIRouter(include_in_schema=False)
# card_print before cards: its fixed paths must win over cards' /{card_id}/{action}.
for module in (auth, dashboard, holders, card_print, cards, attendance, audit, jobs):
    router.include_router(module.router)

__all__ = ["router"]
