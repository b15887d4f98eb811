"""Helpers shared by the LDS parsers."""

from __future__ import annotations

from reader_agent.emrtd.errors import LdsFormatError
from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.tlv import Tlv, parse_one


def outer(unverified: bytes, tag: int, name: str) -> Tlv:
    """The file's single outer TLV with the expected tag."""
    try:
        return parse_one(unverified, expected_tag=tag)
    except MalformedResponseError as exc:
        raise LdsFormatError(f"{name} does not parse: {exc}") from exc


def children(item: Tlv, name: str) -> list[Tlv]:
    try:
        return item.children()
    except MalformedResponseError as exc:
        raise LdsFormatError(f"{name} does not parse: {exc}") from exc


def text(value: bytes, name: str) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LdsFormatError(f"{name} is not valid UTF-8") from exc
