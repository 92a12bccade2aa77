"""The page as production serves it (LIVENESS_PAGE_DEBUG off): it works the same and puts
nothing of its own on `window`, neither its state nor its debug record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import PAGE_ORIGIN
from tests.browser.fake_server import FakeServer

OWN_NAMES = "() => Object.getOwnPropertyNames(window).sort()"


def test_the_production_page_exposes_nothing_on_window(
    new_page: Callable[..., Any], page_host: Callable[..., str]
) -> None:
    page = new_page()
    server = FakeServer()
    url = page_host(page, server, page_debug=False)
    # The same origin without the page's scripts: what any window there has.
    page.goto(f"{PAGE_ORIGIN}/nothing-here")
    baseline = set(page.evaluate(OWN_NAMES))
    page.goto(url)
    page.wait_for_function("document.body.dataset.currentScreen === 'hint'")

    page.get_by_role("button", name="Start").click()
    page.wait_for_function("document.body.dataset.currentScreen === 'camera'")
    page.wait_for_timeout(800)
    assert server.sent_types()[0] == "start"
    assert len(server.frames) >= 2  # the page works as in debug mode

    added = set(page.evaluate(OWN_NAMES)) - baseline
    assert added == set()
    for name in ("__liveness", "LIVENESS_I18N", "LIVENESS_ICONS"):
        assert page.evaluate(f"() => '{name}' in window") is False, name
