"""Guards at the edge, before any route runs: body size limits, and no NUL characters.

A declared Content-Length over the limit is refused at once with 413; a body without one
(chunked) is counted as it streams and cut off at the limit. PostgreSQL text cannot hold
NUL and no legitimate request needs one, so a NUL in the path, the query string or a JSON
body is refused with 422 instead of failing deep in the database (JSON bodies are small,
so they are read here, checked, and replayed to the route).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from card_service.problems import problem_response

_NUL_IN_QUERY = (b"%00", b"\x00")
_NUL_IN_JSON = (b"\\u0000", b"\x00")


class BodyTooLargeError(Exception):
    pass


class RequestSizeLimit:
    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self._app = app
        self._limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        headers = dict(scope.get("headers", ()))
        query = scope.get("query_string", b"")
        if "\x00" in scope["path"] or any(marker in query for marker in _NUL_IN_QUERY):
            await _refuse_nul(scope, send)
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, send, limit)
            return
        if headers.get(b"content-type", b"").startswith(b"application/json"):
            await self._json(scope, receive, send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError
            return message

        try:
            await self._app(scope, counting_receive, send)
        except BodyTooLargeError:
            await _too_large(scope, send, limit)

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body.extend(message.get("body", b""))
            if len(body) > limit:
                await _too_large(scope, send, limit)
                return
            if not message.get("more_body", False):
                break
        if any(marker in body for marker in _NUL_IN_JSON):
            await _refuse_nul(scope, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()  # after the body: wait for disconnect as usual

        await self._app(scope, replay, send)


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    response = problem_response(
        status=413,
        code="request_too_large",
        title="Request body too large",
        detail=f"this endpoint accepts at most {limit} bytes",
        instance=scope["path"],
    )
    await response(scope, _no_receive, send)


async def _refuse_nul(scope: Scope, send: Send) -> None:
    response = problem_response(
        status=422,
        code="nul_character",
        title="Request contains a NUL character",
        detail="text may not contain the NUL character (U+0000)",
        instance=scope["path"],
    )
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
