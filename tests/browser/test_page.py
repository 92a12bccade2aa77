"""The prebuilt page in a real Chromium, its socket played by FakeServer (no server needed).

Every screen is photographed on a phone (390x844) and a desktop (1280x800) viewport into
test-artifacts/screens/.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.fake_server import FakeServer
from tests.support.fake_camera import _write_frames

VIEWPORTS = ["phone", "desktop"]


def screen(page: Any) -> str:
    return str(page.evaluate("window.__liveness && window.__liveness.screen"))


def wait_screen(page: Any, name: str, timeout: int = 10_000) -> None:
    page.wait_for_function(
        "name => window.__liveness && window.__liveness.screen === name", arg=name, timeout=timeout
    )


def wait_frames(page: Any, server: FakeServer, count: int, timeout: int = 10_000) -> None:
    deadline_ms = 0
    while len(server.frames) < count:
        page.wait_for_timeout(100)
        deadline_ms += 100
        if deadline_ms > timeout:
            raise AssertionError(f"only {len(server.frames)} frames arrived, wanted {count}")


def start(page: Any) -> None:
    page.get_by_role("button", name="Start").click()
    wait_screen(page, "camera")


@pytest.fixture
def open_page(
    new_page: Callable[..., Any], page_host: Callable[..., str], browser_with_camera: Any
) -> Callable[..., tuple[Any, FakeServer]]:
    def go(
        server: FakeServer | None = None,
        *,
        viewport: str = "phone",
        camera: Path | None = None,
        deny: bool = False,
        no_camera: bool = False,
        reduced_motion: str = "no-preference",
        **context: Any,
    ) -> tuple[Any, FakeServer]:
        server = server or FakeServer()
        browser = browser_with_camera(camera, deny=deny, no_camera=no_camera)
        page = new_page(browser, viewport=viewport, reduced_motion=reduced_motion)
        context.setdefault("total", server.total)
        url = page_host(page, server, **context)
        page.goto(url)
        page.wait_for_function("window.__liveness && window.__liveness.screen !== null")
        if server.close_on_connect is None:
            wait_screen(page, "hint")
        return page, server

    return go


# --------------------------------------------------------------------------------------------
# The happy path, screen by screen
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_walks_through_every_screen_of_a_session(
    open_page: Any, snap: Any, viewport: str
) -> None:
    page, server = open_page(viewport=viewport)
    page.wait_for_timeout(300)
    assert server.connections == 1
    assert server.sent_types() == []  # nothing before Start
    snap(page, "01-hint")

    start(page)
    wait_frames(page, server, 3)
    assert server.sent_types()[0] == "start"
    page.wait_for_timeout(400)
    snap(page, "02-positioning-ok")

    server.guidance = "move_closer"
    page.wait_for_timeout(900)
    assert page.locator("#guidance").inner_text() == "Move a little closer"
    snap(page, "03-guidance")

    server.guidance = "ok"
    server.open_challenge()
    page.wait_for_timeout(1200)
    assert page.locator("#challenge-text").inner_text() == "Turn your head to your left"
    assert page.locator("#challenge-step").inner_text().lower() == "step 1 of 2"
    snap(page, "04-challenge")

    server.pass_challenge()
    page.wait_for_timeout(300)
    snap(page, "05-between")
    server.open_challenge(remaining_ms=2500)
    page.wait_for_timeout(400)
    assert page.locator("#challenge-text").inner_text() == "Turn your head to your right"
    snap(page, "06-challenge-2-urgent")

    server.fail_attempt("NOT_MATCH")
    wait_screen(page, "failed")
    assert "2 attempts left" in page.locator("#failed-attempts").inner_text()
    snap(page, "07-attempt-failed")

    page.get_by_role("button", name="Try again").click()
    wait_screen(page, "camera")
    assert server.sent_types()[-1] == "retry"

    server.open_challenge()
    page.wait_for_timeout(300)
    server.pass_challenge()
    server.open_challenge()
    page.wait_for_timeout(300)
    server.pass_challenge()
    server.finish("passed")
    wait_screen(page, "result")
    snap(page, "08-result-passed")
    page.wait_for_url("https://merchant.example/done?sid=*", timeout=5000)


@pytest.mark.parametrize("outcome", ["failed", "expired"])
def test_it_shows_the_final_screen_for_other_outcomes(
    open_page: Any, snap: Any, outcome: str
) -> None:
    for viewport in VIEWPORTS:
        page, server = open_page(viewport=viewport)
        start(page)
        server.finish(outcome, "https://merchant.example/back?sid=x")
        wait_screen(page, "result")
        assert page.evaluate("document.body.dataset.outcome") == outcome
        snap(page, f"{viewport}-result-{outcome}")
        page.wait_for_url("https://merchant.example/back?sid=x", timeout=5000)


def test_it_waits_for_the_server_before_leaving(open_page: Any) -> None:
    page, server = open_page()
    start(page)
    server.finish("passed")
    page.wait_for_timeout(700)
    assert screen(page) == "result"  # shown for about 1.5 s first
    page.wait_for_url("https://merchant.example/done?sid=*", timeout=5000)


def test_it_refuses_to_redirect_to_a_non_http_url(open_page: Any) -> None:
    page, server = open_page()
    start(page)
    server.finish("passed", "javascript:alert(1)")
    page.wait_for_timeout(2200)
    assert screen(page) == "result"
    assert page.evaluate("window.__liveness.redirectedTo") is None


# --------------------------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------------------------
def test_frames_are_480px_jpegs_of_the_unmirrored_camera(open_page: Any, tmp_path: Path) -> None:
    import cv2
    import numpy as np

    # A camera image whose left half is white and right half black.
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[:, :320] = 255
    clip_path = tmp_path / "halves.y4m"
    _write_frames([frame] * 10, clip_path, 10, "y4m")

    page, server = open_page(camera=clip_path)
    start(page)
    wait_frames(page, server, 3)
    msg = server.frames[-1]
    assert msg["seq"] == server.frames[-2]["seq"] + 1
    jpeg = base64.b64decode(msg["image"])
    assert jpeg[:2] == b"\xff\xd8"
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert img.shape == (360, 480)
    assert img[:, :200].mean() > 200 and img[:, 280:].mean() < 50  # not mirrored


def test_it_keeps_at_most_two_frames_in_flight(open_page: Any) -> None:
    page, server = open_page(FakeServer(hold_frames=True))
    start(page)
    page.wait_for_timeout(1500)
    assert len(server.frames) == 2
    server.answer_pending()
    page.wait_for_timeout(800)
    assert len(server.frames) == 4
    server.answer_pending(dropped="busy")  # a drop frees the slot as well
    page.wait_for_timeout(800)
    assert len(server.frames) == 6


def test_it_slows_down_when_answers_are_slow(open_page: Any) -> None:
    page, server = open_page(FakeServer(hold_frames=True))
    start(page)
    assert page.evaluate("window.__liveness.fps") == 5
    for _ in range(8):
        page.wait_for_timeout(600)
        server.answer_pending()
    debug = page.evaluate("window.__liveness")
    assert debug["fps"] < 5
    rtts = [f["rtt"] for f in debug["frames"].values() if f["rtt"] is not None]
    assert rtts and max(rtts) > 400  # the debug object measured the slow answers


def test_it_speeds_up_when_answers_are_fast(open_page: Any) -> None:
    page, _server = open_page()
    start(page)
    page.wait_for_timeout(4000)
    debug = page.evaluate("window.__liveness")
    assert debug["fps"] > 5 and debug["fps"] <= 8
    assert len(debug["rtts"]) > 10


def test_an_eye_challenge_gets_its_frame_rate_and_the_next_one_the_usual(open_page: Any) -> None:
    page, server = open_page(FakeServer(gestures=("HEAD_00", "HEAD_LEFT")))
    start(page)
    server.open_challenge(frame_rate=15)
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__liveness.fps") == 15
    sent = len(server.frames)
    page.wait_for_timeout(1000)
    assert len(server.frames) - sent > 8  # more than the usual ceiling allows in a second
    server.pass_challenge()
    page.wait_for_timeout(300)
    server.open_challenge()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__liveness.fps") <= 8


def test_it_follows_the_phase_in_frame_results_and_keeps_sending_between(open_page: Any) -> None:
    page, server = open_page()
    start(page)
    server.open_challenge()
    page.wait_for_timeout(300)
    server.pass_challenge()  # the fake server is now in phase "between"
    page.wait_for_timeout(500)
    count = len(server.frames)
    page.wait_for_timeout(800)
    assert len(server.frames) > count  # frames keep flowing in "between"
    assert page.evaluate("window.__liveness.phase") == "between"
    assert page.locator("#panel-positioning .panel-title").inner_text() == "Nice!"
    # A phase change that only a frame result reports still changes the screen.
    server.phase = "attempt_failed"
    wait_screen(page, "failed")


def test_a_fresh_page_in_a_failed_attempt_shows_the_attempts_left(open_page: Any) -> None:
    server = FakeServer()
    server.phase, server.attempt = "attempt_failed", 2  # the server counts the coming attempt
    page, _ = open_page(server)
    # A reload: the user presses Start, the server stays in attempt_failed.
    page.get_by_role("button", name="Start").click()
    wait_screen(page, "failed")
    assert page.locator("#failed-attempts").inner_text() == "You have 2 attempts left."
    page.get_by_role("button", name="Try again").click()
    wait_screen(page, "camera")


def test_it_sends_no_frames_outside_positioning_and_challenge(open_page: Any) -> None:
    page, server = open_page()
    start(page)
    wait_frames(page, server, 2)
    server.fail_attempt("TIMEOUT")
    wait_screen(page, "failed")
    page.wait_for_timeout(300)
    count = len(server.frames)
    page.wait_for_timeout(1200)
    assert len(server.frames) == count


# --------------------------------------------------------------------------------------------
# Camera problems
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_explains_a_blocked_camera(open_page: Any, snap: Any, viewport: str) -> None:
    page, server = open_page(viewport=viewport, deny=True)
    page.get_by_role("button", name="Start").click()
    wait_screen(page, "camera-error")
    assert page.evaluate("window.__liveness.cameraErrorKind") == "blocked"
    assert page.locator("#camera-error-title").inner_text() == "Camera access is blocked"
    assert "start" not in server.sent_types()
    snap(page, "camera-blocked")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_explains_a_missing_camera(open_page: Any, snap: Any, viewport: str) -> None:
    page, _ = open_page(viewport=viewport, no_camera=True)
    page.get_by_role("button", name="Start").click()
    wait_screen(page, "camera-error")
    assert page.evaluate("window.__liveness.cameraErrorKind") == "missing"
    snap(page, "camera-missing")


# --------------------------------------------------------------------------------------------
# Connection
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_reconnects_and_resumes_after_a_drop(open_page: Any, snap: Any, viewport: str) -> None:
    page, server = open_page(viewport=viewport)
    start(page)
    server.open_challenge()
    page.wait_for_timeout(300)
    server.close(1011)
    wait_screen(page, "lost")
    snap(page, "connection-lost")
    # Backoff starts at 0.5 s; the fake server then sends the current state (the open challenge).
    wait_screen(page, "camera", timeout=5000)
    assert server.connections == 2
    page.wait_for_timeout(300)
    assert page.locator("#challenge-text").inner_text() == "Turn your head to your left"
    before = len(server.frames)
    page.wait_for_timeout(800)
    assert len(server.frames) > before  # frames flow again


def test_it_backs_off_between_reconnects(open_page: Any) -> None:
    page, server = open_page(FakeServer())
    start(page)
    server.close_on_connect = 1011  # every reconnect fails
    server.close(1011)
    page.wait_for_timeout(4500)
    closes = page.evaluate("window.__liveness.closes.map(c => c.t)")
    gaps = [b - a for a, b in itertools.pairwise(closes)]
    assert len(gaps) >= 2
    assert gaps[0] >= 450 and gaps[1] >= 900  # 0.5 s, then 1 s, then 2 s...
    assert screen(page) == "lost"


@pytest.mark.parametrize("code", [4410, 4404])
def test_it_shows_expired_or_used_on_4410_and_4404(open_page: Any, snap: Any, code: int) -> None:
    for viewport in VIEWPORTS:
        page, _server = open_page(FakeServer(close_on_connect=code), viewport=viewport)
        wait_screen(page, "ended")
        assert page.locator("#ended-title").inner_text() == "This link is no longer valid"
        page.wait_for_timeout(1200)
        assert len(page.evaluate("window.__liveness.closes")) == 1  # no reconnect
        snap(page, f"{viewport}-ended-{code}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_yields_to_another_tab_and_can_take_over_again(
    open_page: Any, new_page: Any, page_host: Any, snap: Any, viewport: str
) -> None:
    page, server = open_page(viewport=viewport)
    start(page)
    server.attach_count_before = server.connections
    # A second tab of the same session connects: the fake server replaces the first socket.
    other = page.context.new_page()
    other.goto(page_host(other, server, total=server.total))
    wait_screen(page, "replaced")
    snap(page, "replaced")
    assert page.evaluate("window.__liveness.state.stream") is None  # camera released
    page.get_by_role("button", name="Continue here").click()
    wait_screen(page, "hint")
    assert server.connections == 3


def test_it_shows_an_error_on_4400(open_page: Any, snap: Any) -> None:
    page, server = open_page()
    start(page)
    server.close(4400)
    wait_screen(page, "error")
    snap(page, "protocol-error")
    page.wait_for_timeout(1200)
    assert server.connections == 1


# --------------------------------------------------------------------------------------------
# Back button
# --------------------------------------------------------------------------------------------
def test_back_sends_cancel_and_follows_the_servers_redirect(open_page: Any) -> None:
    page, server = open_page()
    page.get_by_role("button", name="Back").click()
    page.wait_for_url("https://merchant.example/back?sid=*", timeout=5000)
    assert server.sent_types() == ["cancel"]


def test_there_is_no_back_button_without_cancel_url(open_page: Any) -> None:
    page, _ = open_page(cancel_url="")
    assert page.get_by_role("button", name="Back").count() == 0
    start(page)
    assert page.get_by_role("button", name="Cancel").count() == 0


# --------------------------------------------------------------------------------------------
# Language, keyboard, screen readers
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_speaks_indonesian(open_page: Any, snap: Any, viewport: str) -> None:
    page, server = open_page(viewport=viewport, lang="id")
    assert page.evaluate("document.documentElement.lang") == "id"
    assert page.locator("#hint-title").inner_text() == "Pastikan ini benar-benar Anda"
    snap(page, "id-hint")
    page.get_by_role("button", name="Mulai").click()
    wait_screen(page, "camera")
    server.open_challenge()
    page.wait_for_timeout(600)
    assert page.locator("#challenge-text").inner_text() == "Tolehkan kepala ke kiri Anda"
    snap(page, "id-challenge")
    server.fail_attempt("TIMEOUT")
    wait_screen(page, "failed")
    assert page.locator("#btn-retry").inner_text() == "Coba lagi"
    snap(page, "id-failed")


def test_both_languages_have_every_string(open_page: Any) -> None:
    page, _ = open_page()
    missing = page.evaluate(
        """() => {
          const out = [];
          const walk = (a, b, path) => {
            for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
              if (!(k in a) || !(k in b)) { out.push(path + k); continue; }
              if (typeof a[k] === 'object' && !Array.isArray(a[k])) walk(a[k], b[k], path + k + '.');
              else if (Array.isArray(a[k]) && a[k].length !== b[k].length) out.push(path + k);
            }
          };
          walk(window.LIVENESS_I18N.en, window.LIVENESS_I18N.id, '');
          return out;
        }"""
    )
    assert missing == []


def test_every_gesture_has_an_icon_and_a_sentence(open_page: Any) -> None:
    page, _ = open_page()
    codes = [
        "HEAD_LEFT",
        "HEAD_RIGHT",
        "HEAD_UP",
        "HEAD_DOWN",
        "HEAD_OPEN_MOUTH",
        "HEAD_CLOSE_MOUTH",
        "HEAD_00",
        "HEAD_01",
        "HEAD_10",
        "HEAD_11",
        "HAND_01100",
    ]
    for lang in ("en", "id"):
        texts = page.evaluate(
            "([codes, lang]) => codes.map(c => window.LIVENESS_I18N[lang].gestures[c] || null)",
            [codes, lang],
        )
        assert all(texts[:-1]), (lang, texts)
    icons = page.evaluate("codes => codes.map(c => window.LIVENESS_ICONS.gesture(c))", codes)
    assert all(icon.startswith("<svg") for icon in icons)
    assert len(set(icons)) == len(icons)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_shows_every_gesture(open_page: Any, snap: Any, viewport: str) -> None:
    gestures = ("HEAD_UP", "HEAD_DOWN", "HEAD_OPEN_MOUTH", "HEAD_00", "HAND_01100")
    page, server = open_page(FakeServer(gestures=gestures), viewport=viewport)
    start(page)
    for gesture in gestures:
        server.open_challenge()
        page.wait_for_timeout(250)
        snap(page, f"gesture-{gesture}")
        server.pass_challenge()
    assert "index finger and middle finger" in page.locator("#challenge-text").inner_text()


def test_it_is_usable_with_the_keyboard_alone(open_page: Any) -> None:
    page, server = open_page()
    # Tab from the top reaches the language links, then Start.
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "btn-start":
            break
    assert page.evaluate("document.activeElement.id") == "btn-start"
    page.keyboard.press("Enter")
    wait_screen(page, "camera")
    # Focus moved to the new screen's heading.
    assert page.evaluate("document.activeElement.id") == "camera-title"
    server.fail_attempt("TIMEOUT")
    wait_screen(page, "failed")
    assert page.evaluate("document.activeElement.id") == "failed-title"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "btn-retry"
    page.keyboard.press("Enter")
    wait_screen(page, "camera")
    assert server.sent_types()[-1] == "retry"


def test_prompts_go_to_live_regions(open_page: Any) -> None:
    page, server = open_page()
    assert page.get_attribute("#live-polite", "aria-live") == "polite"
    assert page.get_attribute("#live-assertive", "aria-live") == "assertive"
    start(page)
    server.open_challenge()
    page.wait_for_timeout(300)
    assert "Turn your head to your left" in page.locator("#live-polite").inner_text()
    server.fail_attempt("TIMEOUT")
    page.wait_for_timeout(300)
    assert "Time ran out" in page.locator("#live-assertive").inner_text()


def test_it_never_shows_scores(open_page: Any) -> None:
    page, server = open_page()
    start(page)
    server.send(
        {
            "type": "frame_result",
            "seq": 1,
            "guidance": "ok",
            "phase": "positioning",
            "challenge": None,
            "score": 0.97,
        }
    )
    server.open_challenge()
    page.wait_for_timeout(300)
    assert "0.97" not in page.locator("body").inner_text()


def test_it_honours_reduced_motion(open_page: Any, snap: Any) -> None:
    page, server = open_page(reduced_motion="reduce")
    start(page)
    server.open_challenge(remaining_ms=5500)
    page.wait_for_timeout(300)
    duration = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.card')).animationDuration)"
    )
    assert duration < 0.01
    offset = page.evaluate("document.getElementById('ring-bar').style.strokeDashoffset")
    # The ring shows whole seconds: 6 of 8 s left -> 25 % used.
    assert float(offset) == pytest.approx(25.0, abs=0.01)
    snap(page, "reduced-motion")


def test_the_page_carries_the_protocol_data_attributes(open_page: Any) -> None:
    page, _ = open_page(cancel_url="https://merchant.example/back", total=3, max_attempts=3)
    attrs = page.evaluate("JSON.stringify(Object.assign({}, document.body.dataset))")
    data = json.loads(attrs)
    assert data["wsUrl"].startswith("ws://")
    assert data["lang"] == "en"
    assert data["cancelUrl"] == "https://merchant.example/back"
    assert data["total"] == "3"
    assert data["maxAttempts"] == "3"


# --------------------------------------------------------------------------------------------
# The "link no longer valid" page (served by the view with 404/410)
# --------------------------------------------------------------------------------------------
ENDED_TITLES = {
    ("expired", "en"): "This link has expired",
    ("expired", "id"): "Tautan ini sudah kedaluwarsa",
    ("finished", "en"): "This link has already been used",
    ("finished", "id"): "Tautan ini sudah digunakan",
    ("not_found", "en"): "This link is not valid",
    ("not_found", "id"): "Tautan ini tidak berlaku",
}


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_ended_page_explains_each_reason(
    new_page: Any, page_host: Any, snap: Any, lang: str
) -> None:
    for viewport in VIEWPORTS:
        for reason in ("expired", "finished", "not_found"):
            page = new_page(viewport=viewport)
            url = page_host(page, FakeServer(), template="liveness/ended.html", lang=lang,
                            reason=reason)  # fmt: skip
            page.goto(url)
            assert page.evaluate("document.documentElement.lang") == lang
            assert page.locator("h1").inner_text() == ENDED_TITLES[(reason, lang)]
            assert page.locator("script").count() == 0  # works without JavaScript
            snap(page, f"{viewport}-{reason}")
            page.context.close()
