"""The README's "Try a door": against the service as `make run` starts it (SQLite),
``reader-agent demo`` issues a virtual card at a station, and the door grants it,
then denies it after revocation."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reader_agent.virtual.vpcd import SLOT_PORTS
from tests.reader_agent.stack import ROOT, Service, running

pytestmark = [pytest.mark.pcsc, pytest.mark.slow, pytest.mark.usefixtures("pcscd")]


def test_the_door_demo_grants_then_denies_after_revocation(tmp_path):
    data = tmp_path / "data"
    with running(Service(data, f"sqlite:///{data / 'ecard.sqlite3'}")) as service:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "reader_agent.cli",
                "--log-level",
                "WARNING",
                "demo",
                "--service",
                service.base_url,
                "--credentials",
                str(data / "demo-credentials.json"),
                "--workdir",
                str(tmp_path / "demo"),
                "--vpcd-port",
                str(SLOT_PORTS[1]),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    door = [line for line in lines if "[door]" in line]
    assert len(door) == 2, done.stdout
    assert "Nguyễn Văn An · Được phép vào" in door[0]
    assert "Từ chối: thẻ đã bị thu hồi" in door[1]
    assert lines[-1] == "granted, then denied after revocation: as it should be"
