"""Byte-exact encodings shared by our own signed formats.

Canonical JSON: sorted keys, no whitespace, UTF-8 (not ASCII-escaped), datetimes as
RFC 3339 UTC with microseconds (``2025-01-02T03:04:05.000006Z``), UUIDs as their
lower-case string, bytes as standard base64. Floats are refused (their text form is
not stable across databases); integers, strings, booleans, null, lists and objects
with string keys pass through.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from crypto.errors import MalformedInputError

_RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\Z")
_B64URL = re.compile(r"[A-Za-z0-9_-]*\Z")


def require_aware(moment: datetime, name: str = "now") -> datetime:
    """Return ``moment`` in UTC; naive datetimes are a programming error."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    return require_aware(moment, "datetime").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: object) -> datetime:
    if not isinstance(text, str) or not _RFC3339_UTC.match(text):
        raise MalformedInputError(f"not an RFC 3339 UTC time with microseconds: {text!r}")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise MalformedInputError(f"not a valid time: {text!r}") from exc


def jsonable(value: object) -> Any:
    """Convert to the JSON value canonical encoding hashes (see the module docstring)."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical JSON object keys must be strings, not {key!r}")
            out[key] = jsonable(item)
        return out
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


def canonical_json(value: object) -> bytes:
    return json.dumps(
        jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def parse_json_object(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"), parse_float=_refuse_float)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise MalformedInputError(f"not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise MalformedInputError("expected a JSON object")
    return value


def _refuse_float(text: str) -> float:
    raise MalformedInputError(f"floats are not allowed: {text}")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object) -> bytes:
    if not isinstance(text, str) or not _B64URL.match(text) or len(text) % 4 == 1:
        raise MalformedInputError("not unpadded base64url")
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedInputError("not unpadded base64url") from exc
    if b64url_encode(decoded) != text:  # non-canonical trailing bits
        raise MalformedInputError("non-canonical base64url")
    return decoded


def b64_decode(text: object) -> bytes:
    if not isinstance(text, str):
        raise MalformedInputError("expected base64 text")
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedInputError("not base64") from exc
    if base64.b64encode(decoded).decode("ascii") != text:
        raise MalformedInputError("non-canonical base64")
    return decoded
