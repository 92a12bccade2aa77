"""Shared fixtures: personas, the shared data folder, service availability.

Under CI=true nothing skips for a missing service or data folder: it fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip locally when a prerequisite is missing; fail under CI, where it must be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing prerequisite is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = Path(settings.LIVENESS_TEST_DATA)
    require(
        (path / "DATA.md").exists(), f"shared test data not found at {path} (LIVENESS_TEST_DATA)"
    )
    return path
