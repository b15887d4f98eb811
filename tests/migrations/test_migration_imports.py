"""Migrations spell their schema out: they import nothing from the application, whose
classes change after the migration is written (a migration that imports a model
silently changes meaning when the model does)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import migrations

VERSIONS = sorted((Path(migrations.__file__).parent / "versions").glob("[0-9]*.py"))
ALLOWED = {"alembic", "sqlalchemy"}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.add("." if node.level else (node.module or "").split(".")[0])
    return roots


def test_there_are_migrations_to_check():
    assert len(VERSIONS) >= 7


@pytest.mark.parametrize("path", VERSIONS, ids=lambda path: path.stem)
def test_a_migration_imports_only_alembic_sqlalchemy_and_the_standard_library(path):
    foreign = {
        root
        for root in _imported_roots(path)
        if root not in ALLOWED and root not in sys.stdlib_module_names
    }
    assert foreign == set(), f"{path.name} imports {sorted(foreign)}"
