"""How the suite treats missing services: a skip on a laptop, a failure in CI."""

from __future__ import annotations

import os

import pytest


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(available: bool, what: str) -> None:
    """Skip (or, with CI=true, fail) the current test when ``what`` is unavailable."""
    if available:
        return
    if running_in_ci():
        pytest.fail(f"{what} is required when CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")
