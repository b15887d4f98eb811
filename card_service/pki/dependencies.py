"""FastAPI access to the app's PKI context."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from card_service.pki.context import PkiContext


async def pki_context(request: Request) -> PkiContext:
    context: PkiContext = request.app.state.pki
    return context


Pki = Annotated[PkiContext, Depends(pki_context)]
