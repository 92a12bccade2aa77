"""Challenges opened at every moment of every clip: what fails a challenge the user is not doing?

    .venv/bin/python bench/involuntary.py [--data DIR] [--split dev|heldout] [--jobs N] [--cache DIR]

CONTRACT section 2: a clearly different gesture fails the open challenge; involuntary blinks,
speech and small movements never do. `bench/accuracy.py` cuts each clip around its labelled
gestures, so it asks a challenge only of the moments just before a gesture. This opens every
face challenge (`codes.SUPPORTED_GESTURES`) on a window of each clip starting every
`STEP_MS`, as a page at its own pace sends it (8 frames/s, 15 in eye challenges; page frames
and the `far` variant), one attempt, and counts the windows that end early in a failure:
the run saw a clearly different gesture (or a face problem) before its time limit. The
window is shorter than the time limit, so a window that simply lacks the gesture ends
undecided and is not counted.

Every clip of the split, labelled or not (`NO_LABELS`: talking, idle, turned faces). A
failure is *explained* when the clip's labels or its noted movements (`MOVEMENTS`) show the
gesture it named, or the same head movement the other way (its way back), within the window
and begun by the frame that failed it (the person did turn, nod or wink: failing is right),
and
*unexplained* otherwise: a blink or a word read as a head movement, or a movement nobody
noted, which a reader must judge from the clip. Unexplained failures are listed for the split (tune on dev; read held-out as a table).
Shares accuracy.py's `--cache` (same sources and keys): after an accuracy run, only the clip
frames outside the labelled cuts are analysed.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import accuracy, clip_replays
from bench import labels as L
from bench.dataset import VARIANTS, clip_framing, clip_path, clip_timestamps, thin
from bench.runner import Session, Source
from bench.stats import table
from gestures import codes

WINDOW_MS = 5000  # positioning (0.5 s) and the neutral hold (0.3 s), then about 4 s of challenge
STEP_MS = 500
FPS, EYE_FPS = 8, 15  # the page's own pace (camera.js FPS_MAX; eye challenges' frame_rate)
PIXELS = ("page", "far")  # by default; `--pixels` names others (accuracy.py's variants)


def windows(stamps: tuple[int, ...]) -> list[tuple[int, int]]:
    """(first index, last index) of each window that fits the clip: the first frame at or
    after 0, STEP_MS, 2 x STEP_MS... into it, and the frames up to WINDOW_MS after that one."""
    out = []
    target = stamps[0] if stamps else 0
    for first, t0 in enumerate(stamps):
        if t0 < target:
            continue
        last = max(i for i, t in enumerate(stamps) if t - t0 <= WINDOW_MS)
        if stamps[last] - t0 < WINDOW_MS - 200:
            break
        out.append((first, last))
        while target <= t0:
            target += STEP_MS
    return out


# A head movement one way is followed by the way back (a look up, then down to rest): a
# challenge that took its neutral in between may rightly fail with either.
SAME_AXIS = {
    codes.HEAD_LEFT: codes.HEAD_RIGHT,
    codes.HEAD_RIGHT: codes.HEAD_LEFT,
    codes.HEAD_UP: codes.HEAD_DOWN,
    codes.HEAD_DOWN: codes.HEAD_UP,
}


def shown(clip: str, first: int, last: int) -> set[str]:
    """The gestures the clip's labels and noted movements show between these frames (begun
    by `last`, the frame that decided), a head movement with its way back."""
    out = set()
    for label in L.LABELS + L.MOVEMENTS:
        if label.clip == clip and label.first <= last and label.last >= first:
            out |= {label.gesture, SAME_AXIS.get(label.gesture, label.gesture)}
    return out


def sources(
    data: Path, split: str, pixels_all: tuple[str, ...] = PIXELS
) -> list[tuple[Source, tuple]]:
    videos = {label.clip for label in L.LABELS} | set(L.NO_LABELS)
    clips = sorted(clip for clip in videos if L.split_of(clip) == split)
    tasks = []
    for clip in clips:
        stamps = clip_timestamps(clip_path(data, clip))
        for pixels in pixels_all:
            sessions = []
            for first, last in windows(stamps):
                frames = [(i, stamps[i] - stamps[first]) for i in range(first, last + 1)]
                for gesture in codes.SUPPORTED_GESTURES:
                    eye = gesture in codes.EYE_GESTURES
                    meta = {
                        "clip": clip,
                        "pixels": pixels,
                        "window": f"{clip}#{first}-{last}",
                        "first": first,
                    }
                    paced = tuple(thin(frames, EYE_FPS if eye else FPS))
                    sessions.append(Session(paced, gesture, 1, meta))
            # The same key as accuracy.py's source of these pixels: one cache for both.
            source = Source(f"clip|{clip}|{pixels}", len(stamps), sessions)
            tasks.append((source, ("clip", clip, pixels)))
    return tasks


def work(task: tuple[Source, tuple]) -> list[dict[str, Any]]:
    """`clip_replays.replay_clip`, in the pool. A variant that places the face (`far`) needs a face in the clip's first frames
    (`fr_hamilton_multiface` opens on a stage): without one, the clip is not shown under it.
    (Not asked in the parent: the face mesh must not run before the pool forks.)"""
    _, spec = task
    face = {v.name: v for v in VARIANTS}[spec[2]].face
    if face is not None:
        try:
            clip_framing(clip_path(accuracy._DATA, spec[1]), face)
        except ValueError:
            return []
    return clip_replays.replay_clip(task)


def failed_early(r: dict[str, Any]) -> bool:
    return r["decided"] and not r["gestures_matched"]


def unexplained(r: dict[str, Any]) -> bool:
    """Failed early by what no label or noted movement begun by then shows."""
    return failed_early(r) and r["entry_detected"] not in shown(
        r["clip"], r["first"], r["last_frame"]
    )


def report(results: list[dict[str, Any]], *, cases: bool) -> list[str]:
    rows = []
    for pixels in dict.fromkeys(r["pixels"] for r in results):
        rs = [r for r in results if r["pixels"] == pixels]
        early = [r for r in rs if failed_early(r)]
        odd = [r for r in early if unexplained(r)]
        windows_n = len({r["window"] for r in rs})
        rows.append(
            [pixels, windows_n, len(rs), sum(r["gestures_matched"] for r in rs), len(early),
             len(odd), f"{100 * len(odd) / max(len(rs), 1):.1f}%"]
        )  # fmt: skip
    out = [
        table(
            ["frames", "windows", "challenges", "matched", "failed early", "unexplained",
             "unexplained rate"],
            rows,
        ),
        "",
    ]  # fmt: skip
    by_what: Counter[tuple[str, str, str]] = Counter()
    where: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for r in results:
        if unexplained(r):
            what = r["entry_detected"] or r["entry_status"] or "nothing"
            key = (r["clip"], r["gesture"], what)
            by_what[key] += 1
            where[key].add(f"{r['pixels']} {r['window'].split('#')[1]}")
    if not cases:
        out.append(f"Unexplained failures: {sum(by_what.values())} (cases not listed).")
        return out
    rows = [
        [clip, gesture, what, n, ", ".join(sorted(where[clip, gesture, what])[:6])]
        for (clip, gesture, what), n in sorted(by_what.items())
    ]
    out.append("Unexplained failures (clip, challenge, what failed it, windows):")
    out.append("")
    out.append(table(["clip", "challenge", "failed by", "windows", "where (first 6)"], rows))
    return out


def main() -> None:
    cli = clip_replays.parser(__doc__)
    cli.add_argument(
        "--pixels",
        default=",".join(PIXELS),
        help="comma-separated capture variants with their own pixels (not mirror: its turns "
        "are the labels' the other way round)",
    )
    args = cli.parse_args()
    pixels = tuple(args.pixels.split(","))
    own = {v.name for v in VARIANTS if v.pixel_key == v.name and not v.mirror}
    if not set(pixels) <= own:
        cli.error(f"--pixels: one of {', '.join(sorted(own))}")
    data, cache = clip_replays.data_and_cache(cli, args)
    started = time.monotonic()
    tasks = sources(data, args.split, pixels)
    results = clip_replays.run_all(tasks, work, data, cache, args.jobs)
    print(f"## {args.split}: challenges opened every {STEP_MS} ms, {WINDOW_MS} ms windows\n")
    print("\n".join(report(results, cases=args.split == L.DEV)))
    print(f"\nRun time: {(time.monotonic() - started) / 60:.1f} min with {args.jobs} processes.")


if __name__ == "__main__":
    main()
