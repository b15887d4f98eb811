"""What every route of the API promises a client, checked over the whole app at once, so a
new route cannot slip: request bodies refuse unknown fields, each success response says
what its body is (a generated client needs it), and lists come in pages."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from card_service.app import create_app
from card_service.attendance.schemas import ShiftIn, UnitScheduleIn
from card_service.db.engine import Database

JSON_MEDIA_TYPES = ("application/json", "application/problem+json")
# Gaps in packages other engineers are changing right now; each entry must still be a
# gap (the test fails once it is fixed, so the entry is removed rather than forgotten).
SCHEMALESS_ELSEWHERE = {
    # card_service/service_usage: the open-data document has no schema.
    ("get", "/api/v1/service-usage/open-data.json"),
}
# Reports, not lists: arrays whose length is set by the question, not by how much data
# there is, so they come whole. Every list proper is paged (the test fails otherwise).
REPORTS_NOT_LISTS = {
    # One row per value of the ``by`` dimensions over at most a year (service_usage).
    ("get", "/api/v1/service-usage/centres/{centre_id}/statistics"),
}


@pytest.fixture
def app(
    tmp_path, app_settings, auth_context, audit_context, pki_context, access_context
) -> Iterator[FastAPI]:
    # Only the routes and the schema are looked at: the database is never opened.
    database = Database.from_url(f"sqlite:///{tmp_path / 'unused.db'}")
    yield create_app(
        app_settings,
        database=database,
        auth=auth_context,
        audit=audit_context,
        pki=pki_context,
        access=access_context,
        background_tasks=False,
    )
    database.engine.dispose()


def _api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            yield str(context.path), route


def _body_annotations(dependant: Dependant) -> Iterator[Any]:
    for field in dependant.body_params:
        yield field.field_info.annotation
    for sub in dependant.dependencies:
        yield from _body_annotations(sub)


def _models_in(annotation: Any, found: set[type[BaseModel]]) -> None:
    """Every pydantic model reachable from ``annotation``: nested fields, list items,
    union members, Annotated[...] bases."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, found)


def _is_open_mapping(annotation: Any) -> bool:
    """A body typed as a dict (or Any) accepts any field at all."""
    if annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_open_mapping(a) for a in typing.get_args(annotation))
    return annotation is dict or origin is dict


def test_every_request_body_refuses_unknown_fields(app: FastAPI) -> None:
    models: dict[type[BaseModel], str] = {}
    open_bodies = []
    for path, route in _api_routes(app):
        for annotation in _body_annotations(route.dependant):
            if _is_open_mapping(annotation):
                open_bodies.append(f"{sorted(route.methods or ())} {path}")
            found: set[type[BaseModel]] = set()
            _models_in(annotation, found)
            for model in found:
                models.setdefault(model, f"{sorted(route.methods or ())} {path}")

    assert {UnitScheduleIn, ShiftIn} <= models.keys(), "the walk misses request bodies"
    assert len(models) > 30
    lenient = sorted(
        f"{model.__module__}.{model.__qualname__} (first seen in {where})"
        for model, where in models.items()
        if model.model_config.get("extra") != "forbid"
    )
    assert lenient == [], 'set model_config = ConfigDict(extra="forbid") on these'
    assert open_bodies == []


def _success_responses(spec: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    yield method, path, status, response


def _is_json(media_type: str) -> bool:
    base = media_type.split(";", maxsplit=1)[0].strip()
    return base in JSON_MEDIA_TYPES or base.endswith("+json")


def test_every_success_response_says_what_its_body_is(app: FastAPI) -> None:
    """A 204 has no body; any other 2xx names its media types, and a JSON one a schema.
    Non-JSON media types (CSV, DER, PEM, event streams) may leave the bytes undescribed."""
    undescribed = set()
    for method, path, status, response in _success_responses(app.openapi()):
        content = response.get("content")
        if status == "204":
            assert not content, f"{method} {path}: a 204 has no body"
            continue
        if not content or any(
            _is_json(media_type) and not media.get("schema")
            for media_type, media in content.items()
        ):
            undescribed.add((method, path))

    assert undescribed - SCHEMALESS_ELSEWHERE == set(), "declare these responses' schemas"
    assert SCHEMALESS_ELSEWHERE - undescribed == set(), "fixed: drop from SCHEMALESS_ELSEWHERE"


def test_signed_documents_and_crls_declare_their_real_media_types(app: FastAPI) -> None:
    paths = app.openapi()["paths"]

    def content(path: str) -> dict[str, Any]:
        return dict(paths[path]["get"]["responses"]["200"]["content"])

    envelope = {"$ref": "#/components/schemas/SignedEnvelope"}
    assert content("/api/v1/reader/config") == {"application/json": {"schema": envelope}}
    assert content("/api/v1/trust/bundle") == {"application/json": {"schema": envelope}}
    assert content("/api/v1/reader/csca") == {"application/json": {"schema": envelope}}
    binary = {"schema": {"type": "string", "format": "binary"}}
    assert content("/api/v1/trust/crls/{issuer_key_id}.crl") == {"application/pkix-crl": binary}
    assert content("/api/v1/trust/crls/{issuer_key_id}/delta") == {"application/pkix-crl": binary}
    assert content("/api/v1/trust/crls/{issuer_key_id}.pem") == {"application/x-pem-file": binary}
    assert content("/api/v1/trust/roots") == {"application/x-pem-file": binary}
    headers = paths["/api/v1/trust/crls/{issuer_key_id}.crl"]["get"]["responses"]["200"]
    assert "X-CRL-Number" in headers["headers"]


def test_every_list_comes_in_pages(app: FastAPI) -> None:
    """A GET whose answer is a bare JSON array cannot be paged: lists answer
    ``{items, total, limit, offset}`` and take ``limit`` and ``offset``."""
    spec = app.openapi()
    bare_arrays = set()
    for method, path, _, response in _success_responses(spec):
        for media_type, media in response.get("content", {}).items():
            if _is_json(media_type) and media.get("schema", {}).get("type") == "array":
                bare_arrays.add((method, path))
    paged = [
        (path, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method == "get" and _page_schema(spec, operation) is not None
    ]
    for path, operation in paged:
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert {"limit", "offset"} <= names, f"{path} answers a page but takes no limit/offset"
    assert {path for path, _ in paged} >= {
        "/api/v1/cards/{card_id}/history",
        "/api/v1/attendance/schedules",
        "/api/v1/attendance/calendar/{year}",
        "/api/v1/attendance/holders/{holder_id}/leave",
        "/api/v1/access/schedules",
        "/api/v1/access/groups",
        "/api/v1/access/door-groups",
        "/api/v1/access/groups/{group_id}/members",
        "/api/v1/access/rules",
        "/api/v1/service-usage/catalogue",
    }
    assert bare_arrays - REPORTS_NOT_LISTS == set(), "page these lists (card_service.pagination)"
    assert REPORTS_NOT_LISTS - bare_arrays == set(), (
        "no longer an array: drop from REPORTS_NOT_LISTS"
    )


def _page_schema(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
    reference = ok.get("schema", {}).get("$ref", "")
    if not reference.startswith("#/components/schemas/Page_"):
        return None
    schema: dict[str, Any] = spec["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert set(schema["properties"]) == {"items", "total", "limit", "offset"}
    return schema
