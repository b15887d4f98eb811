"""The agent's version, as reported to the service."""

from __future__ import annotations

from importlib import metadata


def agent_version() -> str:
    try:
        return f"reader-agent/{metadata.version('hue-ecard')}"
    except metadata.PackageNotFoundError:
        return "reader-agent/dev"
