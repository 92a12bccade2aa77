"""The page when the service is full: a clear "busy" screen with a countdown, in both
languages, then Start said again by itself until the run is admitted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.fake_server import FakeServer
from tests.browser.test_page import open_page, wait_screen  # noqa: F401  (open_page: a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("lang", "title", "countdown"),
    [
        ("en", "Many people are verifying right now", "Trying again in"),
        ("id", "Banyak orang sedang melakukan verifikasi", "Mencoba lagi dalam"),
    ],
)
def test_a_busy_service_shows_the_busy_screen_and_the_page_retries_by_itself(
    open_page: Any,  # noqa: F811
    lang: str,
    title: str,
    countdown: str,
) -> None:
    page, server = open_page(FakeServer(busy_starts=2, busy_retry_in=2), lang=lang)
    page.locator("#btn-start").click()
    wait_screen(page, "busy")
    assert page.locator("#busy-title").inner_text() == title
    assert countdown in page.locator("#busy-countdown").inner_text()
    assert not [m for m in server.received if m["type"] == "frame"]  # nothing sent meanwhile
    # Two refusals, then admitted: the page said Start three times, by itself, and goes on.
    page.wait_for_function(
        "() => window.__liveness && window.__liveness.screen === 'camera'", timeout=15000
    )
    deadline = page.evaluate("Date.now()") + 15000
    while server.sent_types().count("start") < 3 and page.evaluate("Date.now()") < deadline:
        page.wait_for_timeout(200)
    assert server.sent_types().count("start") == 3
    wait_screen(page, "camera")
    page.wait_for_function("window.__liveness && window.__liveness.seq > 0", timeout=10000)
