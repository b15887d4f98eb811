"""The audit log as people read it: an entry's data as short lines, never Python reprs,
and actors by name where the console knows one (the raw actor stays in a title).

The data is the record, so values are shown as recorded (codes stay codes); only the
shape changes: no value is "—", a list is one line per item, a pair is "a · b".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from card_service.auth.principal import Principal
from card_service.readers.names import reader_names

NONE = "—"
_READER = "reader:"


@dataclass(frozen=True)
class Detail:
    key: str
    lines: list[str]


def _scalar(value: Any) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _item(value: Any) -> str:
    """One element of a list: a pair or tuple joined with a dot, a mapping as k: v."""
    if isinstance(value, list | tuple):
        return " · ".join(_scalar(part) for part in value) or NONE
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {_scalar(part)}" for key, part in value.items()) or NONE
    return _scalar(value)


def lines_of(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [_item(item) for item in value] or [NONE]
    if isinstance(value, Mapping):
        return [f"{key}: {_item(part)}" for key, part in value.items()] or [NONE]
    return [_scalar(value)]


def details(data: Mapping[str, Any] | None) -> list[Detail]:
    return [Detail(str(key), lines_of(value)) for key, value in (data or {}).items()]


def _reader_id(actor: str) -> uuid.UUID | None:
    if not actor.startswith(_READER):
        return None
    try:
        return uuid.UUID(actor.removeprefix(_READER))
    except ValueError:
        return None


def actor_names(session: Session, principal: Principal, actors: Iterable[str]) -> dict[str, str]:
    """Display names for actors such as ``reader:<id>`` (readers the viewer may see);
    actors not listed are shown as recorded."""
    ids = {actor: found for actor in set(actors) if (found := _reader_id(actor)) is not None}
    names = reader_names(session, principal, ids.values())
    return {actor: names[found] for actor, found in ids.items() if found in names}
