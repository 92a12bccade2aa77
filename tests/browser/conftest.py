"""Browser harness: headless Debian Chromium driven by Playwright, with a fake camera fed from a clip.

Fixtures (see tests/browser/README.md for examples):

- ``chromium_path``: ``/usr/bin/chromium``; skips locally, fails under ``CI=true`` when missing.
- ``clip``: ``clip(src, *, start=0, end=None, lead_in_s=0, loop=1, fps=None, width=None,
  fmt="y4m") -> Path``: a clip from the shared data converted to a file Chromium's fake camera
  plays (``.y4m`` or ``.mjpeg``), cached between runs (``clip_cache``). ``src`` is a Path or a name under
  ``<shared_data>/videos``.
- ``photo_clip``: ``photo_clip(image, *, seconds=6, fps=25, motion="still"|"shake"|"tilt",
  width=480) -> Path``: a clip made from one still photo (photo attacks).
- ``browser_with_camera``: ``browser_with_camera(clip_path | None, *, deny=False) -> Browser``
  A Chromium with its own user-data dir, lent to this test alone (browsers launched with the
  same flags are kept between tests and come back with every context closed).
  ``clip_path=None`` uses Chromium's built-in synthetic camera; ``deny=True`` launches without
  the fake-UI flag and denies the camera permission, so ``getUserMedia`` fails with
  ``NotAllowedError``; ``no_camera=True`` has no camera at all (``NotFoundError``).
- ``new_page``: ``new_page(browser=None, *, viewport="phone"|"desktop"|(w, h), **ctx) -> Page``.
  Without a browser it starts one with the synthetic camera.
- ``snap``: ``snap(page, name) -> Path`` writes ``test-artifacts/screens/<test>-<name>.png``.
- ``asgi_server``: daphne in a subprocess on a free port with a fresh SQLite database (migrated);
  yields a ``tests.support.live.LiveServer`` with ``base_url``, ``ws_base``, ``create_merchant()``,
  ``api()``, ``create_session(merchant, **body)`` and ``get_session()``.
- ``distributed_server``: the same API over the distributed mode: daphne plus a Celery worker
  process on a throwaway PostgreSQL database and Redis (``tests/support/distributed.py``).

The libraries behind them are in tests/support/: ``chromium`` (path, flags), ``fake_camera``
(clip conversion), ``live`` and ``distributed`` (the servers).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.chromium import (
    CHROMIUM,
    ROOT,
    SCREENS_DIR,
    VIEWPORTS,
    chromium_args,
    one_core_launcher,
)
from tests.support.fake_camera import clip_from_photo, convert_clip
from tests.support.live import LiveServer
from tests.support.prerequisites import require


# --------------------------------------------------------------------------------------------
# Chromium and Playwright
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium_path() -> Path:
    require(
        CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright(chromium_path: Path) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extra missing
        require(False, "the playwright Python package is not installed (pip install -e .[dev])")
        raise
    # The sync API runs an event loop in this thread; Django's async-safety check would
    # otherwise refuse ORM calls made by the test body while a browser is open.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        yield pw


class _Browsers:
    """Chromium processes kept between tests: launching one costs more than most page tests.
    A browser is lent to one test at a time and comes back with all its contexts closed (so
    nothing of a test's pages outlives it, and the fake camera plays its clip from the first
    frame again at the next ``getUserMedia``); a test that asks twice gets two browsers, as
    two pages capturing in one browser would share one camera stream. At most ``keep`` idle
    browsers are kept, the most recently used."""

    def __init__(self, keep: int = 3) -> None:
        self.keep = keep
        self.idle: list[tuple[tuple[Any, ...], Any]] = []

    def take(self, key: tuple[Any, ...], launch: Callable[[], Any]) -> Any:
        for i in range(len(self.idle) - 1, -1, -1):
            idle_key, browser = self.idle[i]
            if idle_key == key:
                del self.idle[i]
                if browser.is_connected():
                    return browser
        return launch()

    def give_back(self, key: tuple[Any, ...], browser: Any) -> None:
        try:
            for context in list(browser.contexts):
                context.close()
        except Exception:  # the browser is gone (crashed, or closed by the test)
            with contextlib.suppress(Exception):
                browser.close()
            return
        self.idle.append((key, browser))
        while len(self.idle) > self.keep:
            _, oldest = self.idle.pop(0)
            with contextlib.suppress(Exception):
                oldest.close()

    def close(self) -> None:
        for _, browser in self.idle:
            with contextlib.suppress(Exception):
                browser.close()
        self.idle.clear()


@pytest.fixture(scope="session")
def _browsers(playwright: Any) -> Iterator[_Browsers]:
    browsers = _Browsers()
    yield browsers
    browsers.close()


@pytest.fixture
def browser_with_camera(
    playwright: Any, chromium_path: Path, _browsers: _Browsers
) -> Iterator[Callable[..., Any]]:
    """Factory: a Chromium whose camera plays ``clip_path``, lent to this test alone (see
    ``_Browsers``). Playwright's ``launch`` gives every browser a new temporary user-data dir
    (it refuses ``--user-data-dir``), and each page gets a new context of its own.
    ``one_core=True`` starts a fresh Chromium held with all its processes to the machine's
    second core (``taskset -c 1``), so that many pages cannot starve the server beside them."""
    lent: list[tuple[tuple[Any, ...], Any]] = []
    opened: list[Any] = []

    def launch(
        clip_path: Path | None = None,
        *,
        deny: bool = False,
        no_camera: bool = False,
        one_core: bool = False,
    ) -> Any:
        args = chromium_args(clip_path, deny=deny, no_camera=no_camera)
        executable = one_core_launcher(chromium_path) if one_core else chromium_path

        def start() -> Any:
            browser = playwright.chromium.launch(
                executable_path=str(executable), headless=True, args=args
            )
            browser._liveness_deny = deny  # read by new_page to deny the permission in contexts
            return browser

        if one_core:
            browser = start()
            opened.append(browser)
            return browser
        key = tuple(args)
        browser = _browsers.take(key, start)
        lent.append((key, browser))
        return browser

    yield launch
    for browser in opened:
        with contextlib.suppress(Exception):  # already gone
            browser.close()
    for key, browser in lent:
        _browsers.give_back(key, browser)


@pytest.fixture
def new_page(browser_with_camera: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: a page in a new context of ``browser`` (default: synthetic camera)."""

    def make(
        browser: Any = None,
        *,
        viewport: str | tuple[int, int] = "phone",
        locale: str = "en-US",
        reduced_motion: str = "no-preference",
        **context_kwargs: Any,
    ) -> Any:
        browser = browser or browser_with_camera(None)
        width, height = VIEWPORTS[viewport] if isinstance(viewport, str) else viewport
        phone = width < 600
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
            locale=locale,
            reduced_motion=reduced_motion,
            **context_kwargs,
        )
        if getattr(browser, "_liveness_deny", False):
            context.clear_permissions()  # no grant; with no fake UI the prompt is dismissed
        else:
            context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    return make


@pytest.fixture
def snap(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """``snap(page, name)``: full-page screenshot to test-artifacts/screens/<test>-<name>.png."""
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")

    def take(page: Any, name: str) -> Path:
        SCREENS_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENS_DIR / f"{test_name}-{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        return path

    return take


# --------------------------------------------------------------------------------------------
# Fake-camera clips
# --------------------------------------------------------------------------------------------
CLIP_CACHE_DAYS = 14  # entries unused for longer are removed


@pytest.fixture(scope="session")
def clip_cache() -> Path:
    """Converted clips, kept between runs: ``GLAIR_CLIP_CACHE``, default
    ``~/.cache/glair-clone/clips``. A name is a digest of the source's content, the options
    and the converters' code (``tests.support.fake_camera.cache_key``), so nothing stale is
    ever played; files unused for ``CLIP_CACHE_DAYS`` are removed."""
    default = Path.home() / ".cache" / "glair-clone" / "clips"
    path = Path(os.environ.get("GLAIR_CLIP_CACHE") or default)
    path.mkdir(parents=True, exist_ok=True)
    too_old = time.time() - CLIP_CACHE_DAYS * 86_400
    for entry in path.iterdir():
        with contextlib.suppress(OSError):  # another run may be removing it too
            if entry.stat().st_atime < too_old and entry.stat().st_mtime < too_old:
                entry.unlink()
    return path


@pytest.fixture(scope="session")
def clip(clip_cache: Path, shared_data: Path) -> Callable[..., Path]:
    def make(src: str | Path, **options: Any) -> Path:
        """``src``: a path, or a name under ``<shared_data>/videos``; ``options``: those of
        ``convert_clip`` (start, end, lead_in_s, loop, fps, width, fmt)."""
        path = Path(src)
        if not path.is_absolute() and not path.exists():
            path = shared_data / "videos" / path
        require(path.exists(), f"clip not found: {path}")
        return convert_clip(path, clip_cache, **options)

    return make


@pytest.fixture(scope="session")
def photo_clip(clip_cache: Path, shared_data: Path) -> Callable[..., Path]:
    def make(
        image: str | Path,
        *,
        seconds: float = 6.0,
        fps: int = 25,
        motion: str = "still",
        width: int = 480,
    ) -> Path:
        path = Path(image)
        if not path.is_absolute() and not path.exists():
            path = shared_data / path
        require(path.exists(), f"photo not found: {path}")
        return clip_from_photo(
            path, clip_cache, seconds=seconds, fps=fps, motion=motion, width=width
        )

    return make


# --------------------------------------------------------------------------------------------
# The real server: daphne in a subprocess (tests/support/live.py), embedded or distributed
# --------------------------------------------------------------------------------------------
# The page keeps its debug record (`window.__liveness`, read by these tests) only when the
# server renders it in debug mode; production pages expose nothing.
PAGE_DEBUG_ENV = {"LIVENESS_PAGE_DEBUG": "true"}


@pytest.fixture(autouse=True)
def _page_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    """Servers a test starts itself inherit the environment: their pages are in debug mode."""
    for name, value in PAGE_DEBUG_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def asgi_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole project behind daphne, embedded mode (SQLite file, in-memory channel layer)."""
    with LiveServer(tmp_path_factory.mktemp("asgi-server"), PAGE_DEBUG_ENV) as server:
        yield server


@pytest.fixture(scope="session")
def distributed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The distributed mode: daphne and a Celery worker on PostgreSQL and Redis."""
    from tests.support.distributed import Cluster

    with Cluster(tmp_path_factory.mktemp("cluster"), env=PAGE_DEBUG_ENV) as cluster:
        yield cluster.server


# --------------------------------------------------------------------------------------------
# The page without the server: the template rendered here, the socket played by FakeServer
# --------------------------------------------------------------------------------------------
PAGE_ORIGIN = "http://localhost:8765"  # localhost is a secure context: getUserMedia works


@pytest.fixture
def page_host() -> Callable[..., str]:
    """``page_host(page, server, **context) -> url``: serves the real page.html and static files
    to ``page`` through request routing, and connects its socket to ``server`` (a FakeServer).
    The page is in debug mode unless ``page_debug=False``."""
    from django.template.loader import render_to_string

    static_root = ROOT / "static"

    def host(
        page: Any, server: Any, *, template: str = "liveness/page.html", **context: Any
    ) -> str:
        token = "tok_" + hashlib.sha1(str(time.time()).encode()).hexdigest()[:16]
        ctx: dict[str, Any] = {
            "session": {"sid": "01JTESTSID0000000000000000"},
            "ws_url": f"ws://localhost:8765/ws/active-liveness/{token}",
            "lang": "en",
            "cancel_url": "https://merchant.example/back",
            "total": 2,
            "max_attempts": 3,
            "page_debug": True,
        }
        ctx.update(context)
        html = render_to_string(template, ctx)

        def handle(route: Any) -> None:
            url = route.request.url
            path = url[len(PAGE_ORIGIN) :].split("?", 1)[0]
            if path.startswith("/static/"):
                file = (static_root / path[len("/static/") :]).resolve()
                if static_root in file.parents and file.is_file():
                    ctype = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
                    route.fulfill(
                        status=200,
                        body=file.read_bytes(),
                        headers={
                            "content-type": ctype.get(file.suffix, "application/octet-stream")
                        },
                    )
                    return
                route.fulfill(status=404, body="not found")
                return
            if path.startswith("/face/active-liveness/"):
                route.fulfill(
                    status=200, body=html, headers={"content-type": "text/html; charset=utf-8"}
                )
                return
            route.fulfill(status=404, body="not found")

        page.route(f"{PAGE_ORIGIN}/**", handle)
        # Merchant redirect targets: answer with a tiny page instead of going to the network.
        page.route(
            "https://merchant.example/**",
            lambda route: route.fulfill(status=200, body="<title>merchant</title>merchant page"),
        )
        page.route_web_socket(re.compile(r".*/ws/active-liveness/.*"), server.attach)
        return f"{PAGE_ORIGIN}/face/active-liveness/{token}"

    return host


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/browser drives Chromium.
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
