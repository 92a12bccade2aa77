"""Shared fixtures: the shared data folder (personas are in tests/sessions/conftest.py).

Under CI=true nothing skips for a missing service or data folder: it fails instead
(`tests.support.prerequisites.require`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.support.prerequisites import require

# In-process tests import the ASGI app, which starts the embedded mode's webhook thread: the
# tests drive deliveries and sweeps by hand instead (servers they start run their own).
settings.LIVENESS_WEBHOOK_EMBEDDED_SCHEDULER = False


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = Path(settings.LIVENESS_TEST_DATA)
    require(
        (path / "DATA.md").exists(), f"shared test data not found at {path} (LIVENESS_TEST_DATA)"
    )
    return path
