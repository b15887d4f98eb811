"""Bring up what a benchmark needs when it is not running already (pcscd with vpcd)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reader_agent.virtual.launcher import pcscd_with_vpcd_available

ROOT = Path(__file__).resolve().parent.parent


def ensure_pcscd() -> None:
    if pcscd_with_vpcd_available():
        return
    script = ROOT / "scripts" / "start-pcscd.sh"
    subprocess.run([str(script), sys.executable], check=True)
