"""A passive-liveness session (CONTRACT §5) in a real Chromium against the real server: the
page's passive mode, a real person's clip as the camera passes and is sent to success_url;
a printed photo held still in front of the camera fails and is sent to cancel_url."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.flows import MERCHANT_ORIGIN, open_liveness_page, wait_messages, wait_screen
from tests.support.live import LiveServer

PASSIVE = "/face/v1/passive-liveness-sessions"


@pytest.fixture(scope="session")
def merchant(asgi_server: LiveServer) -> dict[str, str]:
    return asgi_server.create_merchant("Browser Passive Shop")


@pytest.fixture
def open_passive(
    asgi_server: LiveServer,
    merchant: dict[str, str],
    browser_with_camera: Callable[..., Any],
    new_page: Callable[..., Any],
) -> Callable[..., tuple[Any, dict[str, Any]]]:
    def go(camera: Any, *, lang: str | None = None) -> tuple[Any, dict[str, Any]]:
        status, session = asgi_server.api(
            "POST", PASSIVE, merchant,
            {"success_url": f"{MERCHANT_ORIGIN}/done", "cancel_url": f"{MERCHANT_ORIGIN}/back"},
        )  # fmt: skip
        assert status == 201, session
        page = new_page(browser_with_camera(camera), viewport="phone")
        open_liveness_page(page, session["url"], lang=lang)
        return page, session

    return go


def _retrieve(server: LiveServer, merchant: dict[str, str], sid: str) -> dict[str, Any]:
    status, body = server.api("GET", f"{PASSIVE}/{sid}", merchant)
    assert status == 200, body
    return dict(body)


def test_a_real_face_holds_still_passes_and_goes_to_success_url(
    asgi_server: LiveServer, merchant: dict[str, str], open_passive: Any, clip: Any, snap: Any
) -> None:
    page, session = open_passive(clip("lp_d14_blinks.mp4", loop=2))
    wait_screen(page, "hint")
    assert "hold still" in page.locator("#screen-hint .lead").inner_text()
    snap(page, "hint")
    page.get_by_role("button", name="Start").click()
    wait_screen(page, "camera")
    page.wait_for_function(
        "() => window.__liveness.messages.some(m => m.hold && m.hold.progress > 0.3)",
        timeout=60_000,
    )
    assert page.locator("#hold-title").inner_text() == "Hold still and look at the camera"
    assert page.locator("#hold").is_visible() and not page.locator("#challenge").is_visible()
    snap(page, "holding")
    wait_messages(page, "result", 1, timeout=60_000)
    page.wait_for_url(f"{MERCHANT_ORIGIN}/done?sid={session['sid']}", timeout=15_000)
    data = _retrieve(asgi_server, merchant, session["sid"])
    assert data["status"] == "FINISHED"
    assert data["result"]["status"] == "success", data["result"]
    assert data["result"]["result"]["status"] in ("LOW", "MODERATE")


def test_the_passive_page_speaks_indonesian(open_passive: Any, clip: Any) -> None:
    page, _ = open_passive(clip("lp_d14_blinks.mp4"), lang="id")
    wait_screen(page, "hint")
    assert "diam selama beberapa detik" in page.locator("#screen-hint .lead").inner_text()


@pytest.mark.slow
def test_a_printed_photo_held_still_fails_and_goes_to_cancel_url(
    asgi_server: LiveServer, merchant: dict[str, str], open_passive: Any, photo_clip: Any
) -> None:
    camera = photo_clip("spoof/silent_face/image_F1.jpg", seconds=10, motion="still")
    page, session = open_passive(camera)
    page.get_by_role("button", name="Start").click()
    wait_messages(page, "result", 1, timeout=90_000)
    result = page.evaluate("window.__liveness.messages.find(m => m.type === 'result')")
    assert result["outcome"] == "failed"
    page.wait_for_url(f"{MERCHANT_ORIGIN}/back?sid={session['sid']}", timeout=15_000)
    data = _retrieve(asgi_server, merchant, session["sid"])
    assert data["result"]["status"] == "failed"
    assert data["result"]["result"]["status"] == "HIGH"
