"""Dependencies point one way: sessions/ (Django) -> workers/ -> gestures/.

The server reads its settings and passes what the engine needs down as arguments
(`sessions.engine`); neither package below it may import Django or the server, even lazily
inside a function, and the pure engine imports nothing heavier than numpy.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVER_SIDE = {"django", "sessions", "glair_clone", "channels", "celery", "rest_framework"}


def imported_modules(source: str) -> set[str]:
    """Every module an `import` or `from ... import` names, anywhere in the source."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def top_level_imports(package: str) -> dict[str, set[str]]:
    """{file: top-level packages it imports} for every module of `package`."""
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, package
    return {
        str(path.relative_to(ROOT)): {
            name.split(".")[0] for name in imported_modules(path.read_text(encoding="utf-8"))
        }
        for path in files
    }


def test_the_import_walk_sees_imports_inside_functions():
    source = "def f():\n    from django.conf import settings\n    import sessions.models as m\n"
    assert imported_modules(source) == {"django.conf", "sessions.models"}


@pytest.mark.parametrize("package", ["workers", "gestures"])
def test_the_engine_never_imports_django_or_the_server(package):
    reaching_up = {
        path: sorted(names & SERVER_SIDE)
        for path, names in top_level_imports(package).items()
        if names & SERVER_SIDE
    }
    assert reaching_up == {}


def test_gestures_imports_only_the_standard_library_numpy_and_itself():
    allowed = set(sys.stdlib_module_names) | {"numpy", "gestures"}
    foreign = {
        path: sorted(names - allowed)
        for path, names in top_level_imports("gestures").items()
        if names - allowed
    }
    assert foreign == {}
