"""RFC 9457 problem+json: the only shape an error leaves the API in."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from card_service.errors import CardServiceError

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://ecard.hue.gov.vn/problems/"

# Stable codes for errors raised by the framework rather than by us.
_HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "request_too_large",
    415: "unsupported_media_type",
    428: "precondition_required",
    429: "too_many_requests",
}


class Problem(BaseModel):
    """Schema of every error body (documented in OpenAPI)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None


def problem_response(
    *, status: int, code: str, title: str, detail: str | None, instance: str | None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
        "instance": instance,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def problem_for(exc: CardServiceError, *, instance: str | None) -> JSONResponse:
    """The problem+json response for a domain error (also for routes that must return
    an error without raising, so that their transaction still commits)."""
    extra = dict(exc.extra)
    headers = extra.pop("headers", None)
    response = problem_response(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        instance=instance,
        **extra,
    )
    if headers:
        response.headers.update(headers)
    return response


async def _domain_error(request: Request, exc: CardServiceError) -> JSONResponse:
    return problem_for(exc, instance=request.url.path)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    return problem_response(
        status=422,
        code="validation_failed",
        title="Request validation failed",
        detail=f"{len(errors)} field(s) failed validation",
        instance=request.url.path,
        errors=errors,
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    response = problem_response(
        status=status,
        code=_HTTP_CODES.get(status, f"http_{status}"),
        title=HTTPStatus(status).phrase,
        detail=str(exc.detail) if exc.detail else None,
        instance=request.url.path,
    )
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _stale_data(request: Request, exc: StaleDataError) -> JSONResponse:
    # Two writers raced past each other on a versioned row; the loser's transaction is
    # rolled back and the client may simply retry.
    return problem_response(
        status=409,
        code="concurrent_update",
        title="Changed by someone else at the same time",
        detail="the resource changed while your request ran; reload and try again",
        instance=request.url.path,
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Never leak a traceback to a client; the log has it.
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        status=500,
        code="internal_error",
        title="Internal error",
        detail="The service hit an unexpected error; it has been logged.",
        instance=request.url.path,
    )


def install_problem_handlers(app: FastAPI) -> None:
    # Starlette types handlers as taking any Exception; each of ours is registered for
    # exactly the class it narrows to, which Starlette guarantees at dispatch.
    handlers: list[tuple[type[Exception], Callable[[Request, Any], Awaitable[JSONResponse]]]] = [
        (CardServiceError, _domain_error),
        (RequestValidationError, _validation_error),
        (StarletteHTTPException, _http_error),
        (StaleDataError, _stale_data),
        (Exception, _unexpected_error),
    ]
    for exc_class, handler in handlers:
        app.add_exception_handler(exc_class, handler)
