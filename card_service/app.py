"""The application factory. Nothing here runs at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, FastAPI

from card_service import __doc__ as service_doc
from card_service import maintenance
from card_service.access.context import AccessContext
from card_service.access.routes import router as access_router
from card_service.attendance.routes import router as attendance_router
from card_service.audit.context import AuditContext
from card_service.audit.routes import router as audit_router
from card_service.auth.context import AuthContext
from card_service.auth.routes import router as auth_router
from card_service.cards.routes import router as cards_router
from card_service.clock import Clock, system_clock
from card_service.csca.routes import router as csca_router
from card_service.db.engine import Database
from card_service.events.partitions import ensure_monthly_partitions
from card_service.events.routes import router as events_router
from card_service.health.routes import router as health_router
from card_service.holders.routes import router as holders_router
from card_service.issuance.routes import router as issuance_router
from card_service.keystore import custody_from_settings
from card_service.limits import RequestSizeLimit
from card_service.orgunits.routes import router as units_router
from card_service.pki.context import PkiContext
from card_service.problems import Problem, install_problem_handlers
from card_service.readers.routes import admin_router as readers_admin_router
from card_service.readers.routes import reader_router
from card_service.readers.watch import ReaderWatch
from card_service.readers.watch import database_loader as active_readers_loader
from card_service.service_usage.citizen_ref import CitizenRefKey
from card_service.service_usage.reader_routes import router as counter_reader_router
from card_service.service_usage.routes import router as service_usage_router
from card_service.settings import Settings
from card_service.trust.feed import TrustFeed, database_loader
from card_service.trust.routes import feed_router as trust_feed_router
from card_service.trust.routes import router as trust_router
from card_service.users.routes import router as users_router
from card_service.verification.routes import router as verification_router
from card_service.verification.verifier import ServiceVerifier

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
UPLOAD_PATH_SUFFIXES = ("/import",)


def api_router() -> APIRouter:
    """Every feature's routes under /api/v1."""
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(auth_router)
    router.include_router(units_router)
    router.include_router(users_router)
    router.include_router(holders_router)
    router.include_router(cards_router)
    router.include_router(audit_router)
    router.include_router(events_router)
    router.include_router(attendance_router)
    router.include_router(service_usage_router)
    router.include_router(readers_admin_router)
    router.include_router(reader_router)
    router.include_router(counter_reader_router)
    router.include_router(csca_router)
    router.include_router(access_router)
    router.include_router(trust_router)
    router.include_router(trust_feed_router)
    router.include_router(issuance_router)
    router.include_router(verification_router)
    return router


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    auth: AuthContext | None = None,
    audit: AuditContext | None = None,
    pki: PkiContext | None = None,
    access: AccessContext | None = None,
    clock: Clock = system_clock,
    background_tasks: bool = True,
) -> FastAPI:
    """Build the service. Anything not handed in is built from ``settings`` (which may
    read or create key files). Tests hand in a database bound to their transaction,
    known keys and a pinned clock, and switch the background tasks off."""
    db = database or Database.from_settings(settings)
    owns_database = database is None
    if audit is None or pki is None or access is None:
        custody = custody_from_settings(settings)
        audit = audit or AuditContext.from_custody(
            custody, interval=timedelta(seconds=settings.audit_checkpoint_seconds)
        )
        pki = pki or PkiContext.from_settings(settings, custody)
        access = access or AccessContext.from_settings(settings, custody)
    trust_feed = TrustFeed(database_loader(db, clock))
    reader_watch = ReaderWatch(active_readers_loader(db))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                ensure_monthly_partitions(
                    connection, now=clock(), months_ahead=settings.event_partitions_ahead
                )
        housekeeping = (
            asyncio.create_task(
                maintenance.run_forever(
                    db,
                    pki,
                    audit,
                    clock,
                    citizen_retention=timedelta(days=settings.citizen_data_retention_days),
                )
            )
            if background_tasks
            else None
        )
        yield
        await trust_feed.close()
        await reader_watch.close()
        if housekeeping is not None:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
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
    app.state.auth = auth or AuthContext.from_settings(settings)
    app.state.audit = audit
    app.state.pki = pki
    app.state.access = access
    app.state.verifier = ServiceVerifier()
    app.state.citizen_refs = CitizenRefKey.from_settings(settings)
    app.state.trust_feed = trust_feed
    app.state.reader_watch = reader_watch
    app.state.clock = clock
    install_problem_handlers(app)
    app.include_router(health_router)
    app.include_router(api_router())

    def body_limit(path: str) -> int:
        if path.endswith(UPLOAD_PATH_SUFFIXES):
            return settings.max_upload_bytes
        return settings.max_request_bytes

    app.add_middleware(RequestSizeLimit, limit_for=body_limit)
    return app
