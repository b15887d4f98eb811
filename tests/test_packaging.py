"""A wheel of the project carries everything the service needs at run time that is not
Python: the console's templates, static files and catalogues, and Alembic's template.
An editable install hides their absence; a plain ``pip install .`` would serve no
/admin at all.

The wheel is built from a copy of the sources, so the build leaves no ``build/`` or
egg-info behind in the working tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("admin_ui", "card_service", "crypto", "migrations", "reader_agent", "reader_protocol")
CONSOLE_FILES = ("templates", "static", "locale")

pytestmark = pytest.mark.slow


def _runtime_files() -> set[str]:
    """What admin_ui reads from disk at run time, as paths inside the wheel."""
    found = set()
    for folder in CONSOLE_FILES:
        for path in (ROOT / "admin_ui" / folder).rglob("*"):
            if path.is_file() and path.suffix not in {".mo", ".pyc"}:
                found.add(path.relative_to(ROOT).as_posix())
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(source), "-w", str(out)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("hue_ecard-*.whl")
    return zipfile.ZipFile(built)


def test_the_console_files_are_in_the_wheel(wheel):
    names = set(wheel.namelist())
    wanted = _runtime_files()
    assert {"admin_ui/templates/base.html", "admin_ui/static/admin.css"} <= wanted
    assert "admin_ui/locale/vi/LC_MESSAGES/messages.po" in wanted
    assert wanted - names == set()


def test_alembic_can_find_its_template_and_every_migration(wheel):
    names = set(wheel.namelist())
    assert "migrations/script.py.mako" in names
    versions = {p.relative_to(ROOT).as_posix() for p in (ROOT / "migrations/versions").glob("*.py")}
    assert versions - names == set()


SERVE_ONE_PAGE = """
import sys
from pathlib import Path

from fastapi.testclient import TestClient

import admin_ui
from card_service.app import create_app
from card_service.db import migrate
from card_service.db.engine import Database
from card_service.settings import Settings

target = Path(sys.argv[1])
assert Path(admin_ui.__file__).is_relative_to(target), admin_ui.__file__
settings = Settings.from_environment()
database = Database.from_url(settings.effective_database_url)
migrate.upgrade(database.engine)
app = create_app(settings, database=database)
admin_ui.install(app)
with TestClient(app) as client:
    page = client.get("/admin/sign-in")
    assert page.status_code == 200, page.text
    assert "Đăng nhập" in page.text
    assert client.get("/admin/static/admin.css").status_code == 200
print("served")
"""


def test_an_installed_wheel_serves_the_console(wheel, tmp_path):
    """The wheel installed into a directory of its own (not the source tree) renders the
    sign-in page in Vietnamese and serves its stylesheet."""
    target = tmp_path / "installed"
    install = ["install", "--quiet", "--no-deps", "--target", str(target), str(wheel.filename)]
    subprocess.run(
        [sys.executable, "-m", "pip", *install],
        check=True,
        timeout=300,
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(target),  # ahead of the editable install of the source tree
        "ECARD_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'console.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", SERVE_ONE_PAGE, str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "served"
