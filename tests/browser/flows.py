"""What a user does on the page, for the tests that drive it: open it, wait for screens and
messages (read from the page's own `window.__liveness` record), and play through failed
attempts."""

from __future__ import annotations

import json
from typing import Any

# Where the tests' sessions send the user back (success_url, cancel_url).
MERCHANT_ORIGIN = "https://merchant.example"


def open_liveness_page(page: Any, url: str, *, lang: str | None = None) -> None:
    """Go to a session's page, the merchant's pages answered by a stand-in (the redirect
    targets are not on the network), and wait for the page to have started."""
    page.route(
        f"{MERCHANT_ORIGIN}/**",
        lambda route: route.fulfill(status=200, body="<title>merchant</title>merchant page"),
    )
    page.goto(url + (f"?lang={lang}" if lang else ""))
    page.wait_for_function("window.__liveness && window.__liveness.screen !== null")


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


class WireTimes:
    """When each frame went on the wire and its answer came off it, as Chromium's network stack
    saw them (DevTools `Network.webSocketFrameSent/Received` timestamps): the round trip of
    the transport and the server, without the page's own main-thread delays."""

    def __init__(self, page: Any) -> None:
        self.sent: dict[int, float] = {}
        self.answered: dict[int, float] = {}
        self._cdp = page.context.new_cdp_session(page)
        self._cdp.on("Network.webSocketFrameSent", self._on_sent)
        self._cdp.on("Network.webSocketFrameReceived", self._on_received)
        self._cdp.send("Network.enable")

    def round_trips_ms(self) -> list[tuple[float, float]]:
        """(sent, round trip) per answered frame, both in ms (sent on the browser's clock)."""
        return [
            (self.sent[seq] * 1000, (self.answered[seq] - self.sent[seq]) * 1000)
            for seq in sorted(self.answered)
            if seq in self.sent
        ]

    def _on_sent(self, event: dict[str, Any]) -> None:
        message = _json(event)
        if message.get("type") == "frame":
            self.sent[int(message["seq"])] = float(event["timestamp"])

    def _on_received(self, event: dict[str, Any]) -> None:
        message = _json(event)
        if message.get("type") == "frame_result":
            self.answered[int(message["seq"])] = float(event["timestamp"])


def _json(event: dict[str, Any]) -> dict[str, Any]:
    try:
        message = json.loads(event["response"]["payloadData"])
    except (KeyError, TypeError, ValueError):
        return {}
    return message if isinstance(message, dict) else {}
