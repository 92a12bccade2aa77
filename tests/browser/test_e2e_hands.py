"""A hand gesture passed in a real browser against the real server and engine.

The camera is one run of the shared hand photos (`hands/subhi_handsdataset`, run 5: a man in
front of his webcam making a fist, then raising his index finger), its photos in recording
order as a clip (`tests/support/hand_clips.py`: each photo held `PHOTO_S`, shifted so the face
is within the centring guide), the fist-to-index stretch looped. Nothing else is staged: the
page, the socket, the face mesh, the hand model, the engine and the database are the product's
own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.flows import play_until_result
from tests.browser.test_e2e_outcomes import _open
from tests.browser.test_page_e2e import MERCHANT_ORIGIN
from tests.support.fake_camera import _write_frames
from tests.support.hand_clips import run_frames
from tests.support.live import LiveServer

RUN, FIRST, LAST = "5", 26, 40  # fist (26-31), then the index finger (32-40)
PHOTO_S, FPS = 0.3, 10


@pytest.fixture(scope="module")
def hand_clip(clip_cache: Path, shared_data: Path) -> Path:
    out = clip_cache / f"subhi-run{RUN}-{FIRST}-{LAST}.y4m"
    if not out.exists():
        frames = run_frames(shared_data, RUN, FIRST, LAST, fps=FPS, photo_s=PHOTO_S,
                            lead_in_s=3, loops=6)  # fmt: skip
        _write_frames(frames, out, FPS, "y4m")
    return out


@pytest.fixture(scope="module")
def merchant(asgi_server: LiveServer) -> dict[str, str]:
    return asgi_server.create_merchant("Hands Shop")


@pytest.mark.slow
def test_a_person_raising_a_finger_passes_a_hand_session(
    asgi_server: LiveServer, merchant: dict[str, str], new_page: Callable[..., Any],
    browser_with_camera: Callable[..., Any], hand_clip: Path, snap: Callable[..., Any],
) -> None:  # fmt: skip
    page, session = _open(asgi_server, merchant, new_page, browser_with_camera, hand_clip,
                          gestures=["HAND_01000"])  # fmt: skip
    result = play_until_result(page)
    snap(page, "hand-passed")
    assert result["outcome"] == "passed", asgi_server.get_session(merchant, session["sid"])
    page.wait_for_url(f"{MERCHANT_ORIGIN}/done?sid={session['sid']}", timeout=10_000)
    stored = asgi_server.get_session(merchant, session["sid"])
    assert stored["result"]["status"] == "success"
    assert stored["result"]["result"]["gestures"][0]["gesture_status"] == "MATCH"
    assert stored["result"]["result"]["detected_gesture"] == "HAND_01000"
    assert stored["result"]["result"]["gestures"][0]["duration_ms"] > 0
