"""What a user does on the page, for the tests that drive it: wait for screens and messages
(read from the page's own `window.__liveness` record), and play through failed attempts."""

from __future__ import annotations

from typing import Any


def wait_screen(page: Any, name: str, timeout: int = 20_000) -> None:
    page.wait_for_function(
        "name => window.__liveness && window.__liveness.screen === name", arg=name, timeout=timeout
    )


def wait_messages(page: Any, kind: str, count: int = 1, timeout: int = 30_000) -> None:
    page.wait_for_function(
        "([kind, count]) => window.__liveness &&"
        " window.__liveness.messages.filter(m => m.type === kind).length >= count",
        arg=[kind, count],
        timeout=timeout,
    )


def play_until_result(page: Any, attempts: int = 3) -> dict[str, Any]:
    """Press Start, then "Try again" after each failed attempt, like a patient user; the
    server's `result` message."""
    page.get_by_role("button", name="Start").click()
    for _ in range(attempts):
        page.wait_for_function(
            "() => ['failed', 'result'].includes(window.__liveness.screen)", timeout=120_000
        )
        if page.evaluate("window.__liveness.screen") == "result":
            break
        page.get_by_role("button", name="Try again").click()
        wait_screen(page, "camera")
    wait_messages(page, "result", 1, timeout=120_000)
    return dict(page.evaluate("window.__liveness.messages.find(m => m.type === 'result')"))
