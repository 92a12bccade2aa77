"""Shared fixtures: the shared data folder (personas are in tests/sessions/conftest.py).

Under CI=true nothing skips for a missing service or data folder: it fails instead
(`tests.support.prerequisites.require`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.support.prerequisites import require


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = Path(settings.LIVENESS_TEST_DATA)
    require(
        (path / "DATA.md").exists(), f"shared test data not found at {path} (LIVENESS_TEST_DATA)"
    )
    return path
