"""The clip converters behind the fake camera: ffmpeg and the OpenCV fallback agree on the format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import fake_camera as harness
from tests.support.prerequisites import require


def y4m_frames(path: Path) -> tuple[str, int]:
    data = path.read_bytes()
    header, _, _ = data.partition(b"\n")
    return header.decode(), data.count(b"FRAME")


@pytest.mark.parametrize("use_ffmpeg", [True, False])
def test_a_clip_becomes_a_y4m_with_a_lead_in(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_ffmpeg: bool
) -> None:
    if use_ffmpeg:
        require(shutil.which("ffmpeg") is not None, "ffmpeg not installed")
    if not use_ffmpeg:
        monkeypatch.setattr(harness.shutil, "which", lambda name: None)
    src = shared_data / "videos" / "lp_d0_still.mp4"  # 78 frames, 25 fps, 512x512
    out = harness.convert_clip(src, tmp_path, end=50, lead_in_s=1.0, loop=2, width=320)
    header, frames = y4m_frames(out)
    assert header.startswith("YUV4MPEG2 W320 H320 F25:1")
    assert frames == 25 + 2 * 50


def test_a_photo_becomes_a_moving_clip(shared_data: Path, tmp_path: Path) -> None:
    image = shared_data / "images" / "3ddfa_v2" / "JianzhuGuo.jpg"
    out = harness.clip_from_photo(image, tmp_path, seconds=2, fps=10, motion="tilt", width=240)
    header, frames = y4m_frames(out)
    assert header.startswith("YUV4MPEG2 W240 ")
    assert frames == 20


def test_an_mjpeg_clip_is_a_stream_of_jpegs(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "videos" / "lp_d0_still.mp4"
    out = harness.convert_clip(src, tmp_path, end=10, fmt="mjpeg")
    data = out.read_bytes()
    assert data[:2] == b"\xff\xd8"
    assert data.count(b"\xff\xd9") >= 10
