"""Per-frame cost of the whole analysis beside the bare MediaPipe call, on the same frames.

    .venv/bin/python bench/engine.py [../shared/data] [--frames N]

Frames come from the shared clips, scaled to 480 pixels wide and JPEG-encoded as the page sends
them. For each frame, in one run and interleaved so both see the same machine state:
  bare:   FaceMesh.process(rgb) alone (the model call, no decoding, nothing after it);
  engine: analyze_image(jpeg bytes) (decode + model + landmarks + pose/openness/quality)
          followed by ChallengeRun.feed (gesture logic), i.e. what the server does per frame.
Prints milliseconds per frame and the engine's own share on top of the bare call.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gestures.challenge import ChallengeRun
from workers.analysis import analyze_image, observe
from workers.decode import decode_rgb
from workers.mesh import _face_mesh, run_face_mesh
from workers.video import read_video

WIDTH = 480


def frames(data: Path, limit: int) -> list[bytes]:
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
                ".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85]
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
    args = parser.parse_args()
    jpegs = frames(Path(args.data), args.frames)
    rgbs = [decode_rgb(j) for j in jpegs]  # the bare call gets its pixels for free
    graph = _face_mesh()
    for rgb, jpeg in list(zip(rgbs, jpegs, strict=True))[:10]:  # warm-up: first calls allocate
        graph.process(rgb)
        analyze_image(jpeg)
    breakdown = ChallengeRun(
        ["HEAD_LEFT", "HEAD_RIGHT", "HEAD_UP", "HEAD_DOWN", "HEAD_OPEN_MOUTH"], max_attempts=1000
    )
    run = ChallengeRun(
        ["HEAD_LEFT", "HEAD_RIGHT", "HEAD_UP", "HEAD_DOWN", "HEAD_OPEN_MOUTH"], max_attempts=1000
    )
    bare, engine = [], []
    stages: dict[str, list[float]] = {
        "decode": [],
        "model+readout": [],
        "geometry": [],
        "gestures": [],
    }
    for i, (rgb, jpeg) in enumerate(zip(rgbs, jpegs, strict=True)):
        t0 = time.perf_counter()
        graph.process(rgb)
        t1 = time.perf_counter()
        obs = analyze_image(jpeg)
        run.feed(obs, i * 100)
        t2 = time.perf_counter()
        bare.append((t1 - t0) * 1000)
        engine.append((t2 - t1) * 1000)
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
    for name, values in stages.items():
        report(f"  stage: {name}", values)
    overhead = (statistics.mean(engine) / statistics.mean(bare) - 1) * 100
    median_overhead = (statistics.median(engine) / statistics.median(bare) - 1) * 100
    print(f"frames: {len(jpegs)} at {WIDTH}px wide")
    print(
        f"engine's own work on top of the model: {overhead:+.1f}% (mean), {median_overhead:+.1f}% (median)"
    )


def report(name: str, values: list[float]) -> None:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{name:42s} mean {statistics.mean(values):6.2f} ms  median {statistics.median(values):6.2f} ms  p95 {p95:6.2f} ms"
    )


if __name__ == "__main__":
    main()
