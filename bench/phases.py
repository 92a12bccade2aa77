"""The bona fide attempts at several frame rates, each sampled at four timer phases.

    .venv/bin/python bench/phases.py [--data DIR] [--split dev|heldout] [--jobs N] [--cache DIR]
                                     [--speed X]

`bench/accuracy.py` thins a clip to a frame rate from its first frame only; a page's timer
starts anywhere within a frame interval, and at 5-15 frames/s that decides which frames of a
0.1-0.3 s blink it sends. This replays every labelled attempt of the split (page frames and
the far variant) at 5, 8, 10 and 15 frames/s and at the page's own pace (8, 15 in eye
challenges), with the timer starting 0, 1/4, 1/2 and 3/4 of an interval late, and prints
Markdown: refusals per rate (gesture level: the passive check is left to accuracy.py) and
the failing cases. It shares accuracy.py's `--cache` (same sources, same keys), so after an
accuracy run it only replays. Tune on dev; read held-out as accuracy.py's tables, once.

`--speed X` (a stress, not a capture variant): each attempt's movement, from the label's
first frame on, plays X times faster (its timestamps compressed; the pre-roll as it was), as
a user who turns, blinks or opens the mouth more briskly than the clip's person would. The
same frames, so the same cache.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import clip_replays
from bench import labels as L
from bench.dataset import Attempt, attempts, thin
from bench.runner import Session, Source
from bench.stats import table
from gestures import codes

PHASES = (0.0, 0.25, 0.5, 0.75)
RATES = {  # name: (fps, fps in eye challenges)
    "fps5": (5, 5),
    "fps8": (8, 8),
    "pace": (8, 15),
    "fps10": (10, 10),
    "fps15": (15, 15),
}
PIXELS = ("page", "far")


def phased(frames: list[tuple[int, int]], fps: float, phase: float) -> list[tuple[int, int]]:
    """`thin` with the timer starting `phase` of an interval after the first frame."""
    shift = phase * 1000.0 / fps
    late = {key: t_ms for key, t_ms in frames}
    shifted = [(key, t_ms - shift) for key, t_ms in frames if t_ms - shift + 0.5 >= 0]
    return [(key, late[key]) for key, _ in thin(shifted, fps)]  # type: ignore[arg-type]


def hastened(cut: Attempt, speed: float) -> list[tuple[int, int]]:
    """The attempt's (frame, t_ms) with everything from the label's first frame on played
    `speed` times faster."""
    if speed <= 0:
        raise ValueError(f"speed must be positive, got {speed}")
    start = dict(cut.frames)[cut.label.first]
    return [(k, t if t <= start else round(start + (t - start) / speed)) for k, t in cut.frames]


def sources(data: Path, split: str, speed: float = 1.0) -> list[tuple[Source, tuple]]:
    by_clip: dict[str, list[Attempt]] = defaultdict(list)
    for cut in attempts(data):
        if L.split_of(cut.label.clip) == split:
            by_clip[cut.label.clip].append(cut)
    tasks = []
    for clip, cuts in by_clip.items():
        for pixels in PIXELS:
            sessions = []
            for cut in cuts:
                eye = cut.label.gesture in codes.EYE_GESTURES
                fast = hastened(cut, speed)
                for rate, (fps, eye_fps) in RATES.items():
                    for phase in PHASES:
                        frames = phased(fast, eye_fps if eye else fps, phase)
                        meta = {"attempt": cut.name, "pixels": pixels, "rate": rate, "phase": phase}
                        sessions.append(Session(tuple(frames), cut.label.gesture, 1, meta))
            # The same key as accuracy.py's source of these pixels: one cache for both.
            source = Source(f"clip|{clip}|{pixels}", len(cuts), sessions)
            tasks.append((source, ("clip", clip, pixels)))
    return tasks


def report(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| frames | " + " | ".join(RATES) + " |", "|---|" + "---|" * len(RATES)]
    for pixels in PIXELS:
        cells = []
        for rate in RATES:
            rs = [r for r in results if r["pixels"] == pixels and r["rate"] == rate]
            refused = sum(not r["gestures_matched"] for r in rs)
            cells.append(f"{refused}/{len(rs)}")
        lines.append(f"| {pixels} | " + " | ".join(cells) + " |")
    failing: dict[tuple[str, str, str], dict[str, list[str]]] = defaultdict(dict)
    for r in results:
        if not r["gestures_matched"]:
            by_rate = failing[(r["attempt"], r["gesture"], r["pixels"])]
            by_rate.setdefault(r["rate"], []).append(f"{r['phase']:g}")
            by_rate.setdefault(r["rate"] + " seen", []).append(r["entry_detected"] or "nothing")
    rows = []
    for (attempt, gesture, pixels), by_rate in sorted(failing.items()):
        cells = [
            f"{rate} @ {', '.join(by_rate[rate])} ({', '.join(sorted(set(by_rate[rate + ' seen'])))})"
            for rate in RATES
            if rate in by_rate
        ]
        rows.append([attempt, gesture, pixels, "; ".join(cells)])
    return [
        *lines,
        "",
        table(["attempt", "gesture", "frames", "refused at rate @ phases (seen)"], rows),
    ]


def main() -> None:
    cli = clip_replays.parser(__doc__)
    cli.add_argument("--speed", type=float, default=1.0, help="movements this much faster")
    args = cli.parse_args()
    if args.speed <= 0:
        cli.error("--speed must be positive")
    data, cache = clip_replays.data_and_cache(cli, args)
    started = time.monotonic()
    tasks = sources(data, args.split, args.speed)
    results = clip_replays.run_all(tasks, clip_replays.replay_clip, data, cache, args.jobs)
    sessions = len(results)
    faster = f", movements {args.speed:g}x faster" if args.speed != 1 else ""
    phases = ", ".join(f"{p:g}" for p in PHASES)
    print(f"## {args.split}: {sessions} sessions, phases {phases}{faster}\n")
    print("\n".join(report(results)))
    print(f"\nRun time: {(time.monotonic() - started) / 60:.1f} min with {args.jobs} processes.")


if __name__ == "__main__":
    main()
