"""The application factory. Nothing here runs at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from card_service import __doc__ as service_doc
from card_service.db.engine import Database
from card_service.events.partitions import ensure_monthly_partitions
from card_service.health.routes import router as health_router
from card_service.problems import Problem, install_problem_handlers
from card_service.settings import Settings

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the service. ``database`` lets tests hand in one bound to their transaction."""
    db = database or Database.from_url(settings.effective_database_url)
    owns_database = database is None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                ensure_monthly_partitions(
                    connection, now=datetime.now(UTC), months_ahead=settings.event_partitions_ahead
                )
        yield
        if owns_database:
            db.dispose()

    app = FastAPI(
        title="Huế e-card service",
        version="1.0.0",
        description=(service_doc or "").strip(),
        openapi_url="/openapi.json",
        lifespan=lifespan,
        responses={422: {"model": Problem}, 500: {"model": Problem}},
    )
    app.state.settings = settings
    app.state.database = db
    install_problem_handlers(app)
    app.include_router(health_router)
    return app
