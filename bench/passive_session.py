"""What a passive-liveness session costs beside an active one: analysis per frame with and
without the anti-spoofing models, and the frames a session scores until its verdict.

    .venv/bin/python bench/passive_session.py [../shared/data] [--fps 8]

Frames come from four shared clips of real people, scaled and JPEG-encoded as the page sends
them (480 px wide, JPEG 70). For each frame, interleaved in one run (the order alternates
from frame to frame): `analyze_image(jpeg)` without and with `passive=True`, i.e. what a worker
does for a frame an active session does not score and for one a passive session scores (every
frame it asks for). Then each clip is replayed at `--fps` through `PassiveRun` from its first
frame: how many frames it fed and scored until the verdict, and the session's analysis time in
all (frames x the measured per-frame cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dataset import (
    DECODE_LIMITS,
    PAGE_QUALITY,
    PAGE_WIDTH,
    clip_path,
    encode_jpeg,
    read_clip,
    resize_width,
    thin,
)
from gestures.config import EngineConfig
from gestures.passive_session import PassiveRun
from workers.analysis import analyze_image

CLIPS = ["lp_d14_blinks", "lp_d0_still", "lp_d3_down_mouth", "tp_driving_turn"]
FRAMES_PER_CLIP = 150


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(Path(__file__).parents[2] / "shared/data"))
    parser.add_argument("--fps", type=float, default=8.0)
    args = parser.parse_args()
    data = Path(args.data)
    clips = {
        name: [
            (index, t_ms, encode_jpeg(resize_width(rgb, PAGE_WIDTH), PAGE_QUALITY))
            for index, t_ms, rgb in read_clip(clip_path(data, name), set(range(FRAMES_PER_CLIP)))
        ]
        for name in CLIPS
    }
    for _, _, jpeg in clips[CLIPS[0]][:5]:  # load the models
        analyze_image(jpeg, DECODE_LIMITS, passive=True)
    plain: list[float] = []
    scored: list[float] = []
    for n, (_, _, jpeg) in enumerate(f for frames in clips.values() for f in frames):
        for passive in (False, True) if n % 2 else (True, False):
            started = time.perf_counter()
            analyze_image(jpeg, DECODE_LIMITS, passive=passive)
            (scored if passive else plain).append((time.perf_counter() - started) * 1000)
    cost = statistics.mean(scored)
    print(f"{len(plain)} page frames of {len(CLIPS)} clips, ms per frame (mean / median):")
    print(
        f"  analysis, not scored: {statistics.mean(plain):6.2f} / {statistics.median(plain):6.2f}"
    )
    print(f"  analysis, scored:     {cost:6.2f} / {statistics.median(scored):6.2f}")
    print(f"  scoring adds {cost / statistics.mean(plain) - 1:+.0%} to a frame's analysis")
    print(f"\nPassiveRun at {args.fps:g} fps from each clip's first frame:")
    for name, frames in clips.items():
        by_index = {index: jpeg for index, _, jpeg in frames}
        run = PassiveRun(EngineConfig())
        fed = scored_frames = 0
        verdict = "none (clip too short)"
        for index, t_ms in thin([(i, t) for i, t, _ in frames], args.fps):
            obs = analyze_image(by_index[index], DECODE_LIMITS, passive=run.passive_due())
            scored_frames += obs.live is not None
            fed += 1
            step = run.feed(obs, t_ms)
            if step.verdict is not None:
                verdict = f"{step.verdict['status']} {step.verdict['result']['spoof_percentage']}"
                break
        print(
            f"  {name:18s} {fed:3d} frames fed, {scored_frames:3d} scored, verdict {verdict}; "
            f"analysis about {fed * cost:5.0f} ms"
        )


if __name__ == "__main__":
    main()
