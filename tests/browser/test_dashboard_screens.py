"""The reviewers' dashboard in a real browser, on a session a real clip played through the page.

A staff user logs in through the admin login, finds the session in the list, opens it (frames,
plot, audit trail) and records a decision, at desktop and phone sizes; screenshots go to
test-artifacts/screens/.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.flows import wait_messages
from tests.support.live import LiveServer

USERNAME, PASSWORD = "dashboard-reviewer", "a-long-reviewer-password-42"
CREATE_REVIEWER = (
    "from django.contrib.auth import get_user_model\n"
    "User = get_user_model()\n"
    f"if not User.objects.filter(username={USERNAME!r}).exists():\n"
    f"    User.objects.create_user({USERNAME!r}, 'r@example.com', {PASSWORD!r}, is_staff=True)\n"
)


def _finished_session(
    server: LiveServer, new_page: Any, browser_with_camera: Any, clip: Any
) -> str:
    """A real run: the demo merchant's page, a clip opening the mouth, HEAD_OPEN_MOUTH."""
    server.manage("demo_setup")
    page = new_page(browser_with_camera(clip("lp_d18_mouth_open.mp4", loop=4)), viewport="desktop")
    page.goto(server.url + "/demo/")
    page.select_option("#gesture", "HEAD_OPEN_MOUTH")
    page.get_by_role("button", name="Start the liveness check").click()
    wait_messages(page, "state")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/demo/done?sid=*", timeout=90_000)
    sid = page.url.split("sid=", 1)[1]
    page.context.close()
    return sid


def _log_in(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/dashboard/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(server.url + "/dashboard/")


def _frames_loaded(page: Any) -> list[bool]:
    return list(
        page.eval_on_selector_all(
            ".frames img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)"
        )
    )


@pytest.mark.browser
def test_a_reviewer_reviews_a_real_session_on_desktop_and_phone(
    asgi_server: LiveServer, new_page: Any, browser_with_camera: Any, clip: Any, snap: Any
) -> None:
    sid = _finished_session(asgi_server, new_page, browser_with_camera, clip)
    asgi_server.manage("shell", "-c", CREATE_REVIEWER)
    browser = browser_with_camera(None)

    desk = new_page(browser, viewport="desktop")
    _log_in(desk, asgi_server)
    row = desk.locator(f'a[title="{sid}"]')
    assert row.count() == 1
    snap(desk, "list-desktop")
    row.click()
    desk.wait_for_url(f"**/dashboard/sessions/{sid}/")
    desk.locator(".frames img").last.scroll_into_view_if_needed()
    desk.wait_for_function("[...document.images].every(i => i.complete)")
    loaded = _frames_loaded(desk)
    assert len(loaded) >= 2 and all(loaded)  # the reference and the audit frame
    assert desk.locator("svg.plot polyline").count() >= 6
    assert desk.locator("svg.plot .window.matched").count() == 1
    assert desk.get_by_text("HEAD_OPEN_MOUTH matched in").count() == 1
    snap(desk, "detail-desktop")

    desk.get_by_label("Needs follow-up").check()
    desk.get_by_role("button", name="Record decision").click()
    assert desk.get_by_text("A note is required for this decision.").is_visible()
    desk.get_by_label("Approved").check()
    desk.get_by_label("Note").fill("Mouth opens clearly; reference frame is sharp.")
    desk.get_by_role("button", name="Record decision").click()
    assert desk.get_by_text("Review recorded.").is_visible()
    assert desk.locator(".history li").count() == 1
    snap(desk, "detail-reviewed-desktop")

    phone = new_page(browser, viewport="phone")
    _log_in(phone, asgi_server)
    phone.select_option("#id_verdict", "success")
    phone.get_by_role("button", name="Filter").click()
    phone.wait_for_url("**/dashboard/?*verdict=success*")
    assert phone.locator(f'a[title="{sid}"]').count() == 1
    snap(phone, "list-phone")
    phone.goto(f"{asgi_server.url}/dashboard/sessions/{sid}/")
    phone.locator(".frames img").last.scroll_into_view_if_needed()
    phone.wait_for_function("[...document.images].every(i => i.complete)")
    snap(phone, "detail-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing but the plot and tables scrolls sideways, inside their cards
