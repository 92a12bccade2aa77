from __future__ import annotations

import json
from pathlib import Path

import pytest

from gestures.observation import FrameObservation

FIXTURES = Path(__file__).parent / "fixtures"

Frames = list[tuple[int, int, FrameObservation]]


def load_recording(name: str) -> Frames:
    rows = json.loads((FIXTURES / f"{name}.json").read_text())
    return [(r["index"], r["t_ms"], FrameObservation.from_dict(r["obs"])) for r in rows]


@pytest.fixture(scope="session")
def recording():
    cache: dict[str, Frames] = {}

    def get(name: str) -> Frames:
        if name not in cache:
            cache[name] = load_recording(name)
        return cache[name]

    return get
