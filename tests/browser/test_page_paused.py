"""The page while the server is paused (analysis or storage briefly down): it says it is
reconnecting, in both languages, and its countdown stands still until `resumed`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.fake_server import FakeServer
from tests.browser.test_page import open_page, wait_screen  # noqa: F401  (open_page: a fixture)

pytestmark = pytest.mark.browser


def countdown(page: Any) -> str:
    return str(page.locator("#challenge-time").inner_text())


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "Analysis is briefly unavailable"), ("id", "Analisis sedang tidak tersedia")],
)
def test_a_paused_challenge_says_reconnecting_and_its_countdown_stands_still(
    open_page: Any,  # noqa: F811
    lang: str,
    text: str,
) -> None:
    # Frames stay unanswered, as in an outage: only the page's own clock moves the countdown.
    page, server = open_page(FakeServer(hold_frames=True, time_limit_ms=8000), lang=lang)
    page.locator("#btn-start").click()  # "Start" / "Mulai"
    wait_screen(page, "camera")
    server.open_challenge()
    page.wait_for_timeout(1200)
    server.send({"type": "paused", "reason": "analysis_unavailable"})
    page.wait_for_function("document.body.dataset.paused === 'true'")
    status = page.locator("#stage-status")
    assert status.is_visible() and text in status.inner_text()
    frozen = countdown(page)
    page.wait_for_timeout(2200)
    assert countdown(page) == frozen
    assert page.locator("#live-assertive").inner_text().startswith(status.inner_text()[:20])

    server.send({"type": "resumed"})
    page.wait_for_function("document.body.dataset.paused === 'false'")
    assert not status.is_visible()
    page.wait_for_timeout(2200)
    assert countdown(page) != frozen  # the clock runs again
