"""Liveness with verify in a real browser (CONTRACT section 1, `verify_image`): the same live
person passes against their own photo and fails against someone else's.

The camera is the lp_d18 clip (a man opening his mouth wide); `driving_d19.jpg` is a photo of
the same man, `obama.jpg` another person. The page, socket, engine, face model and database
are the product's own.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from tests.browser.flows import MERCHANT_ORIGIN, wait_messages
from tests.support.live import LiveServer


@pytest.mark.slow
def test_a_session_passes_with_the_users_photo_and_fails_with_someone_elses(
    asgi_server: LiveServer, new_page: Any, browser_with_camera: Any, clip: Any,
    shared_data: Path, snap: Any,
) -> None:  # fmt: skip
    merchant = asgi_server.create_merchant("Verify Shop")
    camera = clip("lp_d18_mouth_open.mp4", loop=4)
    outcomes = {}
    for name, photo in (
        ("own", "images/liveportrait/driving_d19.jpg"),
        ("other", "images/face_recognition/obama.jpg"),
    ):
        verify_image = base64.b64encode((shared_data / photo).read_bytes()).decode()
        session = asgi_server.create_session(
            merchant, gestures=["HEAD_OPEN_MOUTH"], verify_image=verify_image
        )
        page = new_page(browser_with_camera(camera), viewport="phone")
        page.route(f"{MERCHANT_ORIGIN}/**", lambda route: route.fulfill(status=200, body="ok"))
        page.goto(session["url"])
        wait_messages(page, "state")
        page.get_by_role("button", name="Start").click()
        wait_messages(page, "result", 1, timeout=120_000)
        message = page.evaluate("window.__liveness.messages.find(m => m.type === 'result')")
        snap(page, f"verify-{name}")
        outcomes[name] = (message, asgi_server.get_session(merchant, session["sid"]))
    message, own = outcomes["own"]
    assert message["outcome"] == "passed", own
    assert own["result"]["status"] == "success"
    assert own["result"]["result"]["verify"]["match_status_code"] == "MATCH"
    message, other = outcomes["other"]
    # The gesture was made, live, by the wrong person: failed, at once (no retry helps).
    assert message["outcome"] == "failed", other
    assert message["redirect_url"] == f"{MERCHANT_ORIGIN}/back?sid={other['sid']}"
    assert other["result"]["status"] == "failed"
    assert other["result"]["result"]["reason"] == "FACE_MISMATCH"
    assert other["result"]["result"]["verify"]["match_status_code"] == "NOT_MATCH"
