"""The page against the real server: daphne, the real consumer, the real model, real clips.

These need the whole project (``asgi_server``) and the shared data folder. They also record
round-trip times from ``window.__liveness`` and print them (``pytest -s``).
"""

from __future__ import annotations

import statistics
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.flows import (
    MERCHANT_ORIGIN,
    open_liveness_page,
    play_until_result,
    wait_messages,
    wait_screen,
)
from tests.support.live import LiveServer as AsgiServer


@pytest.fixture(scope="session")
def merchant(asgi_server: AsgiServer) -> dict[str, str]:
    return asgi_server.create_merchant("Browser E2E Shop")


@pytest.fixture
def open_session(
    asgi_server: AsgiServer,
    merchant: dict[str, str],
    browser_with_camera: Callable[..., Any],
    new_page: Callable[..., Any],
) -> Callable[..., tuple[Any, dict[str, Any]]]:
    """Creates a session through the API and opens its page with ``camera`` as the webcam."""

    def go(
        camera: Path | None,
        *,
        viewport: str = "phone",
        lang: str | None = None,
        **body: Any,
    ) -> tuple[Any, dict[str, Any]]:
        session = asgi_server.create_session(merchant, **body)
        page = new_page(browser_with_camera(camera), viewport=viewport)
        # The API builds the URL from the request's host: it is already our daphne.
        open_liveness_page(page, session["url"], lang=lang)
        return page, session

    return go


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_real_page_streams_frames_and_gets_guidance(
    open_session: Any, clip: Any, snap: Any, viewport: str
) -> None:
    camera = clip("lp_d18_mouth_open.mp4", loop=3)
    page, _session = open_session(camera, viewport=viewport, gestures=["HEAD_LEFT"])
    wait_screen(page, "hint")
    wait_messages(page, "state")
    assert (
        page.evaluate("window.__liveness.messages.find(m => m.type === 'state').phase") == "ready"
    )
    snap(page, "hint")
    page.get_by_role("button", name="Start").click()
    wait_screen(page, "camera")
    wait_messages(page, "frame_result", 15)
    page.wait_for_timeout(500)
    snap(page, "live")
    debug = page.evaluate("window.__liveness")
    rtts = debug["rtts"]
    print(
        f"\n[{viewport}] frames answered={len(rtts)} median rtt={statistics.median(rtts):.0f} ms"
        f" p90={sorted(rtts)[int(len(rtts) * 0.9)]:.0f} ms fps={debug['fps']}"
    )
    guidance = {m.get("guidance") for m in debug["messages"] if m["type"] == "frame_result"}
    assert guidance <= {
        "ok", "no_face", "many_faces", "move_closer", "move_back", "center",
        "too_dark", "too_bright", "hold_still", "neutral", "look_straight",
    }  # fmt: skip
    sent = [f for f in debug["frames"].values()]
    assert all(f["w"] == 480 for f in sent)


def test_back_cancels_the_session_and_returns_to_the_merchant(
    asgi_server: AsgiServer, merchant: dict[str, str], open_session: Any, snap: Any
) -> None:
    page, session = open_session(None)
    wait_screen(page, "hint")
    page.get_by_role("button", name="Back").click()
    page.wait_for_url(f"{MERCHANT_ORIGIN}/back?sid={session['sid']}", timeout=10_000)
    assert asgi_server.get_session(merchant, session["sid"])["status"] == "CANCELLED"

    # The link is used up: the server answers the ended page.
    page.goto(session["url"])
    assert page.locator("h1").inner_text() == "This link has already been used"
    snap(page, "ended-finished")


@pytest.mark.parametrize("lang", ["en", "id"])
def test_an_unknown_link_shows_the_not_found_page(
    asgi_server: AsgiServer, new_page: Any, snap: Any, lang: str
) -> None:
    url = f"{asgi_server.base_url}/face/active-liveness/not-a-token?lang={lang}"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=10)
    assert err.value.code == 404
    for viewport in ("phone", "desktop"):
        page = new_page(viewport=viewport)
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == lang
        snap(page, f"{viewport}-ended-not-found")


def test_a_second_tab_takes_the_session_over(open_session: Any, snap: Any) -> None:
    page, session = open_session(None)
    wait_screen(page, "hint")
    other = page.context.new_page()
    other.goto(session["url"])
    wait_screen(page, "replaced")
    snap(page, "replaced")
    wait_screen(other, "hint")


@pytest.mark.slow
def test_a_real_head_turn_passes_and_redirects_with_the_sid(
    asgi_server: AsgiServer, merchant: dict[str, str], open_session: Any, clip: Any, snap: Any
) -> None:
    camera = clip("lp_d12_turns_up_mouth.mp4", lead_in_s=2.0, loop=4)
    page, session = open_session(camera, gestures=["HEAD_LEFT"])
    page.get_by_role("button", name="Start").click()
    wait_messages(page, "challenge", 1, timeout=40_000)
    snap(page, "challenge")
    wait_messages(page, "result", 1, timeout=60_000)
    outcome = page.evaluate("window.__liveness.messages.find(m => m.type === 'result').outcome")
    if outcome == "passed":
        page.wait_for_url(f"{MERCHANT_ORIGIN}/done?sid={session['sid']}", timeout=10_000)
    data = asgi_server.get_session(merchant, session["sid"])
    assert data["status"] == "FINISHED"
    assert outcome == "passed", data["result"]


@pytest.mark.slow
def test_a_still_photo_never_passes(
    asgi_server: AsgiServer, merchant: dict[str, str], open_session: Any, photo_clip: Any
) -> None:
    camera = photo_clip("images/3ddfa_v2/JianzhuGuo.jpg", motion="still")
    page, session = open_session(camera, gestures=["HEAD_LEFT"])
    outcome = play_until_result(page)["outcome"]
    assert outcome != "passed"
    assert asgi_server.get_session(merchant, session["sid"])["result"]["status"] == "failed"
