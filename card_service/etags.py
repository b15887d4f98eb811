"""ETag and If-Match: updates apply only to the version the client last saw."""

from __future__ import annotations

import hashlib
import uuid

from card_service.errors import CardServiceError


class PreconditionRequiredError(CardServiceError):
    code = "precondition_required"
    status = 428
    title = "If-Match header required"


class PreconditionFailedError(CardServiceError):
    code = "precondition_failed"
    status = 412
    title = "The resource changed since you read it"


def etag_for(kind: str, object_id: uuid.UUID, version: int) -> str:
    digest = hashlib.sha256(f"{kind}:{object_id}:{version}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def etag_for_state(kind: str, key: str, state: str | None) -> str:
    """For what has no version column (an assignment that is replaced whole): the ETag
    names what is there now, ``None`` meaning nothing. Putting back the same thing gives
    the same ETag, which is right: the client's change then applies to what it read."""
    current = "-" if state is None else state
    digest = hashlib.sha256(f"{kind}:{key}:{current}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def check_if_match(if_match: str | None, current: str) -> None:
    """Raise unless the client's If-Match names the current version."""
    if if_match is None:
        raise PreconditionRequiredError("send the ETag you read in an If-Match header")
    offered = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if current not in offered and "*" not in offered:
        raise PreconditionFailedError("reload the resource and apply your change again")
