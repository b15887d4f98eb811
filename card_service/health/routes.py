"""``/healthz``: the process is up. ``/readyz``: the database answers and its schema is at head."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from card_service.db import migrate
from card_service.db.session import get_database
from card_service.errors import ServiceUnavailableError
from card_service.problems import Problem

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    schema_revision: str


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Problem}})
def readyz(request: Request) -> Readiness:
    database = get_database(request)
    database.check_reachable()
    head = migrate.head_revision()
    current = migrate.schema_revision(database.sessions)
    if current != head:
        raise SchemaNotAtHeadError(
            f"database schema is at {current or 'nothing'}, code expects {head}; "
            "run `card-service migrate`"
        )
    return Readiness(status="ready", database=database.engine.dialect.name, schema_revision=head)


class SchemaNotAtHeadError(ServiceUnavailableError):
    code = "schema_not_at_head"
    title = "Database schema is not at the expected revision"
