"""The page's JavaScript under Node (`node --test tests/page/`), run from pytest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.prerequisites import require

ROOT = Path(__file__).resolve().parents[2]
PAGE_TESTS = Path(__file__).resolve().parent
STATIC = ROOT / "static" / "liveness"


@pytest.fixture(scope="session")
def node() -> str:
    """The `node` binary (Debian's `nodejs`); skips locally, fails under CI=true when missing."""
    path = shutil.which("node")
    require(path is not None, "node is needed for the page's tests (apt-get install nodejs)")
    assert path is not None
    return path
