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


@pytest.fixture(scope="session")
def replay_scores(shared_data) -> list[float]:
    """The real model's live scores on the screen-replay frames (39-55) of the phone recording
    in spoof/silent_face/demo.gif."""
    import cv2

    from workers.analysis import analyze_rgb

    capture = cv2.VideoCapture(str(shared_data / "spoof" / "silent_face" / "demo.gif"))
    scores, index = [], 0
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        if 39 <= index <= 55:
            obs = analyze_rgb(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), passive=True)
            if obs.live is not None:
                scores.append(obs.live)
        index += 1
    assert len(scores) > 10
    return scores
