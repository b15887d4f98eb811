"""Building blocks shared by the messages."""

from __future__ import annotations

import base64
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema


def _decode_b64(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError("expected base64 text")  # noqa: TRY004 - pydantic reports ValueErrors
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError("not valid base64") from exc


# Binary fields travel as standard base64 in JSON.
Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_decode_b64),
    PlainSerializer(lambda value: base64.b64encode(value).decode("ascii"), return_type=str),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]

STRICT = ConfigDict(extra="forbid", frozen=True)
