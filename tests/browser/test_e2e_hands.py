"""A hand gesture passed in a real browser against the real server and engine.

The camera is one run of the shared hand photos (`hands/subhi_handsdataset`, run 5: a man in
front of his webcam making a fist, then raising his index finger), its photos in recording
order as a clip, each held `PHOTO_S`, the fist-to-index stretch looped. The photos were
framed with the face off to one side to leave room for the hand: each is shifted (cropped on
the hand's side by a little, padded on the other) so the face sits within the page's centring
guide, as a user following the guide would. Nothing else is staged: the page, the socket, the
face mesh, the hand model, the engine and the database are the product's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from tests.browser.flows import play_until_result
from tests.browser.test_e2e_outcomes import _open
from tests.browser.test_page_e2e import MERCHANT_ORIGIN
from tests.support.fake_camera import _write_frames
from tests.support.live import LiveServer

RUN, FIRST, LAST = "5", 26, 40  # fist (26-31), then the index finger (32-40)
PHOTO_S, FPS = 0.3, 10
CROP_LEFT, PAD_RIGHT = 60, 100  # pixels of the 800-wide photos


def photo_order(name: str) -> int:
    return int(re.findall(r"\d+", name.split("_", 1)[1])[0])


@pytest.fixture(scope="module")
def hand_clip(clip_cache: Path, shared_data: Path) -> Path:
    out = clip_cache / f"subhi-run{RUN}-{FIRST}-{LAST}.y4m"
    if out.exists():
        return out
    folder = shared_data / "hands" / "subhi_handsdataset" / "images"
    names = sorted((p.name for p in folder.glob(f"{RUN}_*.jpg")), key=photo_order)[FIRST : LAST + 1]
    photos = []
    for name in names:
        bgr = cv2.imread(str(folder / name))
        shifted = cv2.copyMakeBorder(bgr[:, CROP_LEFT:], 0, 0, 0, PAD_RIGHT, cv2.BORDER_CONSTANT)
        photos.append(
            cv2.resize(shifted, (640, round(640 * shifted.shape[0] / shifted.shape[1]) // 2 * 2))
        )
    hold = round(PHOTO_S * FPS)
    one_pass = [frame for frame in photos for _ in range(hold)]
    lead_in = [photos[0]] * (3 * FPS)  # the user settles with a fist before Start
    _write_frames(lead_in + one_pass * 6, out, FPS, "y4m")
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
    np.testing.assert_array_less(0, stored["result"]["result"]["gestures"][0]["duration_ms"])
