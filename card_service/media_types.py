"""Responses that are not a pydantic model, declared so OpenAPI tells a client what comes.

Signed documents (trust bundle, reader configuration, CSCA list) travel as the signed
JSON envelope of ``crypto.documents``; CRLs and certificates as DER or PEM. Routes that
return such bytes use ``response_class=Response`` (so no empty ``application/json`` is
advertised) and one of the ``responses=`` declarations below.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SIGNED_JSON = "application/json"
DER_CRL = "application/pkix-crl"
PEM = "application/x-pem-file"

Responses = dict[int | str, dict[str, Any]]


class SignedEnvelope(BaseModel):
    """A signed document (``crypto.documents``). Verify ``signature`` over the exact
    bytes of ``body`` with the key named in it before reading ``content``."""

    model_config = ConfigDict(extra="forbid", title="SignedEnvelope")

    body: str = Field(
        description=(
            "base64url of the canonical JSON {type, version, key_id, content}; "
            "type names the document, version its format"
        )
    )
    signature: str = Field(
        description="base64url of the DER ECDSA P-256 SHA-256 signature over body's bytes"
    )


def _headers(headers: dict[str, str]) -> dict[str, Any]:
    return {
        name: {"description": description, "schema": {"type": "integer"}}
        for name, description in headers.items()
    }


def signed_document(description: str, headers: dict[str, str] | None = None) -> Responses:
    """A 200 whose body is a SignedEnvelope; ``headers`` (name: meaning) are integers."""
    answer: dict[str, Any] = {"model": SignedEnvelope, "description": description}
    if headers:
        answer["headers"] = _headers(headers)
    return {200: answer}


def binary_document(
    media_type: str, description: str, headers: dict[str, str] | None = None
) -> Responses:
    """A 200 of ``media_type`` bytes (DER, PEM, ...); ``headers`` (name: meaning) are integers."""
    answer: dict[str, Any] = {
        "description": description,
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
    }
    if headers:
        answer["headers"] = _headers(headers)
    return {200: answer}
