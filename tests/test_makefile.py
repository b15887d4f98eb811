"""``make run`` tells a person where the console is (and where the API's documentation
is), without running anything: ``make -n`` only prints the recipe."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_prints_the_console_address_and_the_api_docs():
    recipe = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    printed = next(line for line in recipe.splitlines() if line.startswith("echo"))
    assert "http://127.0.0.1:8000/admin/" in printed
    assert "http://127.0.0.1:8000/docs" in printed
    assert printed.index("/admin/") < printed.index("/docs")  # the console first
