"""Headless Debian Chromium for the browser tests: where it is, and the flags it runs with.

Nothing is downloaded: Playwright's Python package brings its own driver, and the browser is
the system one (``CHROMIUM_PATH``, default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.prerequisites import require

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


def one_core_launcher(chromium: Path) -> Path:
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
