"""The console's pages, one module per area; each route checks the roles it needs."""

from fastapi import APIRouter

from admin_ui.pages import (
    access,
    accounts,
    attendance,
    audit,
    auth,
    calendar,
    card_print,
    cards,
    centres,
    dashboard,
    events,
    holder_import,
    holders,
    jobs,
    own_password,
    readers,
)

router = APIRouter(include_in_schema=False)
# Fixed paths before the parameterised ones they would otherwise match: the import
# before /holders/{holder_id}, the printable card before /cards/{card_id}/{action}.
MODULES = (
    auth,
    dashboard,
    holder_import,
    holders,
    card_print,
    cards,
    readers,
    access,
    calendar,
    events,
    attendance,
    centres,
    audit,
    accounts,
    own_password,
    jobs,
)
for module in MODULES:
    router.include_router(module.router)

__all__ = ["router"]
