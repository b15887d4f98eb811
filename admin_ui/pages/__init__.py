"""The console's pages, one module per area; each route checks the roles it needs."""

from fastapi import APIRouter

from admin_ui.pages import auth, cards, dashboard, holders

router = APIRouter(include_in_schema=False)
for module in (auth, dashboard, holders, cards):
    router.include_router(module.router)

__all__ = ["router"]
