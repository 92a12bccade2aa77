"""Browser harness: headless Debian Chromium driven by Playwright, with a fake camera fed from a clip.

Fixtures (see tests/browser/README.md for examples):

- ``chromium_path``: ``/usr/bin/chromium``; skips locally, fails under ``CI=true`` when missing.
- ``clip``: ``clip(src, *, start=0, end=None, lead_in_s=0, loop=1, fps=None, width=None,
  fmt="y4m") -> Path``: a clip from the shared data converted to a file Chromium's fake camera
  plays (``.y4m`` or ``.mjpeg``), cached per test session. ``src`` is a Path or a name under
  ``<shared_data>/videos``.
- ``photo_clip``: ``photo_clip(image, *, seconds=6, fps=25, motion="still"|"shake"|"tilt",
  width=480) -> Path``: a clip made from one still photo (photo attacks).
- ``browser_with_camera``: ``browser_with_camera(clip_path | None, *, deny=False) -> Browser``
  A fresh Chromium with its own user-data dir. ``clip_path=None`` uses Chromium's built-in
  synthetic camera; ``deny=True`` launches without the fake-UI flag and denies the camera
  permission, so ``getUserMedia`` fails with ``NotAllowedError``; ``no_camera=True`` has no
  camera at all (``NotFoundError``).
- ``new_page``: ``new_page(browser=None, *, viewport="phone"|"desktop"|(w, h), **ctx) -> Page``.
  Without a browser it starts one with the synthetic camera.
- ``snap``: ``snap(page, name) -> Path`` writes ``test-artifacts/screens/<test>-<name>.png``.
- ``asgi_server``: daphne in a subprocess on a free port with a fresh SQLite database (migrated);
  yields a ``tests.live.LiveServer`` with ``base_url``, ``ws_base``, ``create_merchant()``,
  ``api()``, ``create_session(merchant, **body)`` and ``get_session()``.
- ``distributed_server``: the same API over the distributed mode: daphne plus a Celery worker
  process on a throwaway PostgreSQL database and Redis (``tests/distributed.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENS_DIR = ROOT / "test-artifacts" / "screens"
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}

BASE_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


def chromium_args(
    clip_path: Path | None, *, deny: bool = False, no_camera: bool = False
) -> list[str]:
    args = list(BASE_ARGS)
    if no_camera:
        return args
    args.append("--use-fake-device-for-media-stream")
    if not deny:
        args.append("--use-fake-ui-for-media-stream")
    if clip_path is not None:
        args.append(f"--use-file-for-fake-video-capture={clip_path}")
    return args


@pytest.fixture
def browser_with_camera(playwright: Any, chromium_path: Path) -> Iterator[Callable[..., Any]]:
    """Factory: a fresh Chromium whose camera plays ``clip_path``. Playwright's ``launch`` gives
    every browser a new temporary user-data dir (it refuses ``--user-data-dir``).
    ``one_core=True`` holds Chromium and all its processes to the machine's second core
    (``taskset -c 1``), so that many pages cannot starve the server beside them."""
    opened: list[Any] = []

    def launch(
        clip_path: Path | None = None,
        *,
        deny: bool = False,
        no_camera: bool = False,
        one_core: bool = False,
    ) -> Any:
        args = chromium_args(clip_path, deny=deny, no_camera=no_camera)
        executable = chromium_path
        if one_core:
            executable = _pinned(chromium_path)
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=args
        )
        browser._liveness_deny = deny  # read by new_page to deny the permission in contexts
        opened.append(browser)
        return browser

    yield launch
    for browser in opened:
        with contextlib.suppress(Exception):  # already gone
            browser.close()


def _pinned(chromium: Path) -> Path:
    """A launcher that starts Chromium on CPU 1 only (children inherit it), for Playwright."""
    require(
        (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None,
        "pinning Chromium to one core needs two cores and taskset (util-linux)",
    )
    launcher = ROOT / "test-artifacts" / "chromium-one-core"
    launcher.parent.mkdir(exist_ok=True)
    launcher.write_text(f'#!/bin/sh\nexec taskset -c 1 "{chromium}" "$@"\n')
    launcher.chmod(0o755)
    return launcher


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
@pytest.fixture(scope="session")
def clip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


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


def _cache_name(src: Path, fmt: str, **params: Any) -> str:
    key = json.dumps({"src": str(src), "mtime": src.stat().st_mtime, **params}, sort_keys=True)
    return f"{src.stem}-{hashlib.sha1(key.encode()).hexdigest()[:10]}.{fmt}"


def convert_clip(
    src: Path,
    cache: Path,
    *,
    start: int = 0,
    end: int | None = None,
    lead_in_s: float = 0.0,
    loop: int = 1,
    fps: float | None = None,
    width: int | None = None,
    fmt: str = "y4m",
) -> Path:
    """Frames ``start..end`` of ``src``, played ``loop`` times, after ``lead_in_s`` seconds of
    the first frame held still (a neutral lead-in), as y4m (YUV 4:2:0) or mjpeg."""
    if fmt not in {"y4m", "mjpeg"}:
        raise ValueError(f"fmt must be y4m or mjpeg, not {fmt!r}")
    out = cache / _cache_name(
        src, fmt, start=start, end=end, lead_in_s=lead_in_s, loop=loop, fps=fps, width=width
    )
    if out.exists():
        return out
    tmp = out.with_suffix(f".part.{fmt}")
    if shutil.which("ffmpeg"):
        _convert_with_ffmpeg(src, tmp, start, end, lead_in_s, loop, fps, width, fmt)
    else:
        frames, src_fps = _read_frames(src, start, end)
        out_fps = fps or src_fps
        frames = _resize_all(frames, width)
        lead = [frames[0]] * round(lead_in_s * out_fps)
        _write_frames(lead + frames * max(1, loop), tmp, out_fps, fmt)
    tmp.rename(out)
    return out


def _convert_with_ffmpeg(
    src: Path,
    out: Path,
    start: int,
    end: int | None,
    lead_in_s: float,
    loop: int,
    fps: float | None,
    width: int | None,
    fmt: str,
) -> None:
    filters = []
    if start or end is not None:
        trim = f"start_frame={start}" + (f":end_frame={end}" if end is not None else "")
        filters += [f"trim={trim}", "setpts=PTS-STARTPTS"]
    if loop > 1:
        filters.append(f"loop=loop={loop - 1}:size=32767:start=0")
    if fps:
        filters.append(f"fps={fps}")
    if lead_in_s > 0:
        filters.append(f"tpad=start_mode=clone:start_duration={lead_in_s}")
    # Even dimensions: 4:2:0 chroma needs them.
    scale = f"{width}:-2" if width else "trunc(iw/2)*2:trunc(ih/2)*2"
    filters.append(f"scale={scale}")
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(src), "-an"]
    cmd += ["-vf", ",".join(filters)]
    if fmt == "y4m":
        # Plain "C420" chroma tag: Chromium's y4m reader is strict about the header.
        cmd += ["-pix_fmt", "yuv420p", "-strict", "-1", "-f", "yuv4mpegpipe", str(out)]
    else:
        cmd += ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p", "-f", "mjpeg", str(out)]
    subprocess.run(cmd, check=True, timeout=300)


def _read_frames(src: Path, start: int, end: int | None) -> tuple[list[Any], float]:
    import cv2

    cap = cv2.VideoCapture(str(src))
    if not cap.isOpened():
        raise RuntimeError(f"cannot open {src}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames: list[Any] = []
    index = 0
    while True:
        ok, frame = cap.read()
        if not ok or (end is not None and index >= end):
            break
        if index >= start:
            frames.append(frame)
        index += 1
    cap.release()
    if not frames:
        raise RuntimeError(f"no frames read from {src} ({start}..{end})")
    return frames, fps


def _resize_all(frames: list[Any], width: int | None) -> list[Any]:
    import cv2

    h, w = frames[0].shape[:2]
    new_w = width or w
    new_h = round(h * new_w / w)
    new_w, new_h = new_w - new_w % 2, new_h - new_h % 2
    if (new_w, new_h) == (w, h):
        return frames
    return [cv2.resize(f, (new_w, new_h), interpolation=cv2.INTER_AREA) for f in frames]


def _write_frames(frames: list[Any], out: Path, fps: float, fmt: str) -> None:
    """Writes BGR frames as y4m (hand-written header, I420 planes) or as concatenated JPEGs."""
    import cv2

    h, w = frames[0].shape[:2]
    with out.open("wb") as fh:
        if fmt == "y4m":
            num, den = _fps_fraction(fps)
            fh.write(f"YUV4MPEG2 W{w} H{h} F{num}:{den} Ip A1:1 C420\n".encode())
            for frame in frames:
                fh.write(b"FRAME\n")
                fh.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
        else:
            for frame in frames:
                ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
                if not ok:
                    raise RuntimeError("JPEG encoding failed")
                fh.write(buf.tobytes())


def _fps_fraction(fps: float) -> tuple[int, int]:
    if abs(fps - round(fps)) < 1e-3:
        return round(fps), 1
    return round(fps * 1000), 1000


def clip_from_photo(
    image: Path,
    cache: Path,
    *,
    seconds: float = 6.0,
    fps: int = 25,
    motion: str = "still",
    width: int = 480,
) -> Path:
    """A y4m clip of one photo: held ``still``, moved about (``shake``) or swung (``tilt``),
    the way an attacker holds a printed photo or a phone in front of the camera."""
    import cv2
    import numpy as np

    if motion not in {"still", "shake", "tilt"}:
        raise ValueError(f"motion must be still, shake or tilt, not {motion!r}")
    out = cache / _cache_name(image, "y4m", seconds=seconds, fps=fps, motion=motion, width=width)
    if out.exists():
        return out
    img = cv2.imread(str(image))
    if img is None:
        raise RuntimeError(f"cannot read {image}")
    h, w = img.shape[:2]
    height = round(h * width / w)
    img = cv2.resize(img, (width - width % 2, height - height % 2), interpolation=cv2.INTER_AREA)
    h, w = img.shape[:2]
    frames = []
    n = max(1, round(seconds * fps))
    for i in range(n):
        phase = 2 * np.pi * i / (fps * 2.0)
        if motion == "still":
            frames.append(img)
            continue
        if motion == "shake":
            matrix = np.float32([[1, 0, 12 * np.sin(phase)], [0, 1, 8 * np.sin(1.7 * phase)]])
            frames.append(cv2.warpAffine(img, matrix, (w, h), borderMode=cv2.BORDER_REFLECT))
        else:
            # A perspective swing about the vertical axis, like a photo turned in the hand.
            k = 0.18 * np.sin(phase)
            src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
            dst = np.float32(
                [
                    [0, h * max(k, 0)],
                    [w, h * max(-k, 0)],
                    [w, h - h * max(-k, 0)],
                    [0, h - h * max(k, 0)],
                ]
            )
            matrix = cv2.getPerspectiveTransform(src, dst)
            frames.append(cv2.warpPerspective(img, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE))
    tmp = out.with_suffix(".part.y4m")
    _write_frames(frames, tmp, fps, "y4m")
    tmp.rename(out)
    return out


# --------------------------------------------------------------------------------------------
# The real server: daphne in a subprocess (tests/live.py), embedded or distributed
# --------------------------------------------------------------------------------------------
AsgiServer = LiveServer


@pytest.fixture(scope="session")
def asgi_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole project behind daphne, embedded mode (SQLite file, in-memory channel layer)."""
    with LiveServer(tmp_path_factory.mktemp("asgi-server")) as server:
        yield server


@pytest.fixture(scope="session")
def distributed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The distributed mode: daphne and a Celery worker on PostgreSQL and Redis."""
    from tests.distributed import Cluster

    with Cluster(tmp_path_factory.mktemp("cluster")) as cluster:
        yield cluster.server


# --------------------------------------------------------------------------------------------
# The page without the server: the template rendered here, the socket played by FakeServer
# --------------------------------------------------------------------------------------------
PAGE_ORIGIN = "http://localhost:8765"  # localhost is a secure context: getUserMedia works


@pytest.fixture
def page_host() -> Callable[..., str]:
    """``page_host(page, server, **context) -> url``: serves the real page.html and static files
    to ``page`` through request routing, and connects its socket to ``server`` (a FakeServer)."""
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
