"""Per-frame cost of the whole analysis beside the bare MediaPipe call, on the same frames.

    .venv/bin/python bench/engine.py [../shared/data] [--frames N] [--quality Q]

Frames come from the shared clips, scaled to 480 pixels wide and JPEG-encoded as the page sends
them (quality 70: `JPEG_QUALITY = 0.7` in static/liveness/camera.js; `--quality` to try others).
For each frame, in one run and interleaved so both see the same machine state (which of the two
goes first alternates from frame to frame):
  bare:   FaceMesh.process(rgb) alone (the model call, no decoding, nothing after it);
  engine: analyze_image(jpeg bytes) (decode + model + landmarks + pose/openness/quality)
          followed by ChallengeRun.feed (gesture logic), i.e. what the server does per frame.
The engine runs the same FaceMesh graph through `workers.mesh`, which skips what
FaceMesh.process adds around the graph run (see `workers.mesh._landmark_lists`), so its
"model+readout" stage can come out below the bare call.
  passive: the same engine with passive anti-spoofing, the MiniFASNet pair scoring the frames
          the run asks for (`ChallengeRun.passive_due`: the first few, then one in
          `passive_sample_every`), exactly as the server samples them.
Prints milliseconds per frame, the engine's own share on top of the bare call, and the share
the passive check adds on top of the engine (the three are interleaved in one run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gestures.challenge import ChallengeRun
from workers.analysis import analyze_image, observe
from workers.decode import decode_rgb
from workers.mesh import _face_mesh, run_face_mesh
from workers.video import read_video

WIDTH = 480
PAGE_JPEG_QUALITY = 70  # static/liveness/camera.js: JPEG_QUALITY 0.7


def frames(data: Path, limit: int, quality: int = PAGE_JPEG_QUALITY) -> list[bytes]:
    out: list[bytes] = []
    clips = sorted((data / "videos").glob("*.mp4"))
    per_clip = max(limit // len(clips), 1)
    for clip in clips:
        for frame in list(read_video(clip, max_fps=10))[:per_clip]:
            h, w = frame.rgb.shape[:2]
            small = cv2.resize(
                frame.rgb, (WIDTH, round(h * WIDTH / w)), interpolation=cv2.INTER_AREA
            )
            ok, jpeg = cv2.imencode(
                ".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
            )
            assert ok
            out.append(jpeg.tobytes())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "data", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared" / "data")
    )
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--quality", type=int, default=PAGE_JPEG_QUALITY, help="JPEG quality 1-100")
    args = parser.parse_args()
    # As in the server: the frame limits come from the Django settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glair_clone.settings")
    django.setup()
    from sessions.engine import frame_limits

    limits = frame_limits()
    jpegs = frames(Path(args.data), args.frames, args.quality)
    rgbs = [decode_rgb(j) for j in jpegs]  # the bare call gets its pixels for free
    graph = _face_mesh()
    warm_up = ChallengeRun(["HEAD_LEFT"], max_attempts=1000)
    for i, (rgb, jpeg) in enumerate(list(zip(rgbs, jpegs, strict=True))[:30]):
        graph.process(rgb)  # warm-up: first calls allocate and load code
        warm_up.feed(analyze_image(jpeg, limits), i * 100)
    breakdown = ChallengeRun(
        ["HEAD_LEFT", "HEAD_RIGHT", "HEAD_UP", "HEAD_DOWN", "HEAD_OPEN_MOUTH"], max_attempts=1000
    )
    run = ChallengeRun(
        ["HEAD_LEFT", "HEAD_RIGHT", "HEAD_UP", "HEAD_DOWN", "HEAD_OPEN_MOUTH"], max_attempts=1000
    )
    prun = ChallengeRun(
        ["HEAD_LEFT", "HEAD_RIGHT", "HEAD_UP", "HEAD_DOWN", "HEAD_OPEN_MOUTH"], max_attempts=1000
    )
    warm_up_passive(rgbs[0])
    bare, engine, passive, scored = [], [], [], []
    stages: dict[str, list[float]] = {
        "decode": [],
        "model+readout": [],
        "geometry": [],
        "gestures": [],
    }
    for i, (rgb, jpeg) in enumerate(zip(rgbs, jpegs, strict=True)):
        due = prun.passive_due()

        def with_passive(jpeg: bytes = jpeg, i: int = i, due: bool = due) -> None:
            prun.feed(analyze_image(jpeg, limits, passive=due), i * 100)

        work = [
            (bare, lambda rgb=rgb: graph.process(rgb)),
            (engine, lambda jpeg=jpeg, i=i: run.feed(analyze_image(jpeg, limits), i * 100)),
            (passive, with_passive),
        ]
        # Each of the three goes first, second and third in turn: same machine state for all.
        for out, job in work[i % 3 :] + work[: i % 3]:
            out.append(timed(job))
        if due:
            scored.append(passive[-1] - engine[-1])
        # The same work again, stage by stage, for the breakdown.
        s0 = time.perf_counter()
        pixels = decode_rgb(jpeg)
        s1 = time.perf_counter()
        faces = run_face_mesh(pixels).faces
        s2 = time.perf_counter()
        obs = observe(pixels, faces)
        s3 = time.perf_counter()
        breakdown.feed(obs, i * 100)
        s4 = time.perf_counter()
        for name, a, b in zip(stages, (s0, s1, s2, s3), (s1, s2, s3, s4), strict=True):
            stages[name].append((b - a) * 1000)
    report("bare FaceMesh.process", bare)
    report("engine (decode+model+geometry+gestures)", engine)
    report("engine + passive (sampled)", passive)
    for name, values in stages.items():
        report(f"  stage: {name}", values)
    overhead = (statistics.mean(engine) / statistics.mean(bare) - 1) * 100
    median_overhead = (statistics.median(engine) / statistics.median(bare) - 1) * 100
    size = statistics.mean(len(jpeg) for jpeg in jpegs) / 1024
    print(
        f"frames: {len(jpegs)} at {WIDTH}px wide, JPEG quality {args.quality}, {size:.1f} KiB mean"
    )
    print(
        f"engine's own work on top of the model: {overhead:+.1f}% (mean), {median_overhead:+.1f}% (median)"
    )
    passive_share = (statistics.mean(passive) / statistics.mean(engine) - 1) * 100
    print(
        f"passive anti-spoofing: {len(scored)} of {len(jpegs)} frames scored, "
        f"{statistics.mean(scored):.2f} ms more on a scored frame; "
        f"on top of the engine's mean per-frame cost: {passive_share:+.1f}%"
    )


def warm_up_passive(rgb: object) -> None:
    from workers import antispoof

    antispoof.warm_up()
    for _ in range(10):
        antispoof.live_probability(rgb, (100.0, 100.0, 150.0, 150.0))  # type: ignore[arg-type]


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def report(name: str, values: list[float]) -> None:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{name:42s} mean {statistics.mean(values):6.2f} ms  median {statistics.median(values):6.2f} ms  p95 {p95:6.2f} ms"
    )


if __name__ == "__main__":
    main()
