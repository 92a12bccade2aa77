"""An ISO/IEC 30107-3 style evaluation of the engine on the shared data (docs/ACCURACY.md).

    .venv/bin/python bench/accuracy.py [--data DIR] [--split dev|heldout|both] [--quick]
                                       [--jobs N] [--cache DIR]

Prints Markdown on stdout (progress on stderr):

- **BPCER**, the share of bona fide attempts the engine refuses: every gesture labelled by hand
  in the shared clips (bench/labels.py) is cut from its clip (about 2 s before it, 1 s after)
  and replayed as a one-gesture session with one attempt, under the page's encoding (480 px,
  JPEG q70) and under capture variants (frame rate, scale, JPEG quality, light, mirroring,
  noise; bench/dataset.py). Any verdict but `success` is an error.
- **APCER per attack species**, the share of attack sessions that end in `success`: printed
  photos on a card turned, tilted, rolled and shifted in front of the camera, the replay and
  print evidence in `spoof/`, and (labelled synthetic) every bona fide attempt re-rendered as
  shown on a phone screen (bench/presentations.py). Attack sessions have 3 attempts.
- the counts behind every rate and the failing cases.

Every source belongs to a person, and every person to `dev` or `heldout`
(`bench.labels.HELDOUT_PERSONS`): tune on dev only; report held-out figures as they come.
The whole run takes 15-20 minutes on 2 cores (`--quick`: a few minutes, fewer variants and
attacks); `--cache DIR` keeps the per-frame observations so that a rerun only replays.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from multiprocessing import Pool
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2

from bench import labels as L
from bench.dataset import (
    QUICK_VARIANTS,
    VARIANTS,
    Attempt,
    attempts,
    clip_framing,
    clip_path,
    read_clip,
    seed_for,
    thin,
    variant_frame,
)
from bench.presentations import (
    CROPS,
    DISTANCES,
    MOTIONS,
    Motion,
    card_frames,
    gif_frames,
    moved_frames,
    print_crop,
    screen_frame,
    still_frames,
)
from bench.report import SPLITS, header_section, split_section
from bench.report_passive import WEBCAM_VARIANTS
from bench.runner import Session, Source, analysis_hash, run_source
from gestures import codes

LOOP_S = 40.0  # attack sessions: the presentation is looped this long (3 attempts fit)
# A card is asked for the head movements its motion imitates, and for what a moved picture can
# only fake through the mesh: an open and a closed mouth, a blink, a blink and reopen, winks.
_FACE_GESTURES = [
    codes.HEAD_OPEN_MOUTH, codes.HEAD_CLOSE_MOUTH, codes.HEAD_00, codes.HEAD_11, codes.HEAD_01,
    codes.HEAD_10,
]  # fmt: skip
SPECIES_GESTURES = {
    "yaw": [codes.HEAD_LEFT, codes.HEAD_RIGHT, *_FACE_GESTURES],
    "pitch": [codes.HEAD_UP, codes.HEAD_DOWN, *_FACE_GESTURES],
    "roll": [*codes.POSE_GESTURES, *_FACE_GESTURES],
    "shift": [*codes.POSE_GESTURES, *_FACE_GESTURES],
}
WEBCAM_EVERY = 1
QUICK_PORTRAITS = [
    "images/face_recognition/obama.jpg",
    "lp_d12_turns_up_mouth",
    "images/face_recognition/biden.jpg",
    "lp_d18_mouth_open",
]


# --- the plan: sources and their sessions --------------------------------------------------


def plan(data: Path, splits: Iterable[str], quick: bool) -> list[tuple[Source, tuple]]:
    splits = set(splits)
    tasks: list[tuple[Source, tuple]] = []
    cuts = [a for a in attempts(data) if L.split_of(a.label.clip) in splits]
    variants = [v for v in VARIANTS if not quick or v.name in QUICK_VARIANTS]
    by_clip: dict[str, list[Attempt]] = defaultdict(list)
    for cut in cuts:
        by_clip[cut.label.clip].append(cut)
    for clip, clip_cuts in by_clip.items():
        split = L.split_of(clip)
        for pixels in sorted({v.pixel_key for v in variants}):
            sessions = []
            for cut in clip_cuts:
                for variant in (v for v in variants if v.pixel_key == pixels):
                    meta = {
                        "set": "bonafide",
                        "split": split,
                        "clip": clip,
                        "attempt": cut.name,
                        "label_gesture": cut.label.gesture,
                        "variant": variant.name,
                        "kind": variant.kind,
                        "pre_roll_ms": cut.pre_roll_ms,
                    }
                    frames = tuple(thin(cut.frames, variant.fps_for(cut.label.gesture)))
                    sessions.append(Session(frames, variant.gesture(cut.label.gesture), 1, meta))
            keys = {k for s in sessions for k, _ in s.frames}
            cost = len(keys) * (2.5 if pixels == "w1080" else 1.0)
            tasks.append((Source(f"clip|{clip}|{pixels}", cost, sessions), ("clip", clip, pixels)))
        # Synthetic screen replay: each attempt shown on a phone, looped 3 times, 3 attempts.
        sessions = []
        for cut in clip_cuts:
            meta = {
                "set": "attack",
                "split": split,
                "species": "synthetic-screen",
                "pai": clip,
                "detail": cut.name,
            }
            sessions.append(Session(loop(cut.frames, 3), cut.label.gesture, 3, meta))
        keys = {k for s in sessions for k, _ in s.frames}
        tasks.append((Source(f"screen|{clip}", len(keys), sessions), ("screen", clip)))
    portraits = [p for p in L.PHOTOS + list(L.PORTRAIT_FRAMES) if L.split_of(p) in splits]
    if quick:
        portraits = [p for p in portraits if p in QUICK_PORTRAITS]
    for portrait in portraits:
        # A clip frame is printed tight only: its loose crop would be about the whole frame.
        crops = CROPS[:1] if quick or portrait in L.PORTRAIT_FRAMES else CROPS
        for crop in crops:
            for motion in MOTIONS.values():
                for distance in motion.distances[:1] if quick else motion.distances:
                    tasks.append(card_task(portrait, crop, distance, motion))
    if L.WEBCAM_PERSON_SPLIT in splits:
        for run, names in webcam_runs(data).items():
            for name in WEBCAM_VARIANTS if not quick else WEBCAM_VARIANTS[:1]:
                source = Source(f"webcam|{run}|{name}", len(names) * 0.3, [])
                tasks.append((source, ("webcam", run, name, tuple(names))))
    for sample, kind, path, gif in L.SPOOF_SAMPLES:
        if L.split_of(sample) not in splits:
            continue
        for mode in ("gif",) if gif else ("still", "moved"):
            sessions = []
            for gesture in codes.SUPPORTED_GESTURES:
                meta = {
                    "set": "attack",
                    "split": L.split_of(sample),
                    "species": kind,
                    "pai": sample,
                    "detail": mode,
                }
                sessions.append(Session((), gesture, 3, meta))
            source = Source(f"spoof|{sample}|{mode}", 40, sessions, score_all=True)
            tasks.append((source, ("spoof", path, gif, mode)))
    return tasks


def card_task(portrait: str, crop: str, distance: str, motion: Motion) -> tuple[Source, tuple]:
    sessions = []
    for gesture in SPECIES_GESTURES[motion.species]:
        meta = {
            "set": "attack",
            "split": L.split_of(portrait),
            "species": motion.species,
            "pai": portrait,
            "detail": f"{crop} {distance} {motion.name}",
        }
        sessions.append(Session((), gesture, 3, meta))
    key = f"card|{portrait}|{crop}|{distance}|{motion.name}"
    source = Source(key, 45 * 1.3, sessions, score_all=True)
    return source, ("card", portrait, crop, distance, motion.name)


def webcam_runs(data: Path) -> dict[str, list[str]]:
    """Every `WEBCAM_EVERY`th photo of each recording run, by run, in file order."""
    runs: dict[str, list[str]] = defaultdict(list)
    for path in sorted((data / L.WEBCAM_DIR).glob("*.jpg")):
        runs[L.webcam_run(path.name)].append(path.name)
    return {run: names[::WEBCAM_EVERY] for run, names in sorted(runs.items())}


def loop(frames: Iterable[tuple[int, int]], times: int | None = None) -> tuple:
    """The frames played again and again (timestamps continuing), `times` times or LOOP_S."""
    frames = list(frames)
    if not frames:
        return ()
    step = frames[1][1] - frames[0][1] if len(frames) > 1 else 100
    period = frames[-1][1] + step
    count = times or max(math.ceil(LOOP_S * 1000 / period), 1)
    return tuple((k, c * period + t) for c in range(count) for k, t in frames)


# --- the worker side -----------------------------------------------------------------------

_DATA = Path()
_CACHE: Path | None = None
_CODE = ""


def _init(data: Path, cache: Path | None, code: str) -> None:
    global _DATA, _CACHE, _CODE
    _DATA, _CACHE, _CODE = data, cache, code
    cv2.setNumThreads(1)


def work(task: tuple[Source, tuple]) -> tuple[str, list[dict[str, Any]], float]:
    source, spec = task
    started = time.monotonic()
    if spec[0] == "webcam":
        return source.key, [webcam_scores(*spec[1:])], time.monotonic() - started
    if spec[0] in ("card", "spoof"):
        # The frames are rendered here; the sessions loop over them.
        rendered = render(spec)
        base = [(k, t) for k, (t, _) in enumerate(rendered)]
        frames = {k: rgb for k, (_, rgb) in enumerate(rendered)}
        source.sessions = [
            Session(loop(base), s.gesture, s.max_attempts, s.meta) for s in source.sessions
        ]

        def build(keys: set[int]) -> Iterable[tuple[int, Any]]:
            return ((k, frames[k]) for k in sorted(keys))

    else:

        def build(keys: set[int]) -> Iterable[tuple[int, Any]]:
            return build_clip_frames(spec, keys)

    results = run_source(source, build, _CACHE, _CODE)
    return source.key, results, time.monotonic() - started


def webcam_scores(run: str, variant_name: str, names: tuple[str, ...]) -> dict[str, Any]:
    """The live probability of each photo of a run that shows one face, as the server would
    score it (`analyze_rgb(..., passive=True)`) under the capture variant."""
    from workers.analysis import analyze_rgb

    variant = next(v for v in VARIANTS if v.name == variant_name)
    live = []
    for name in names:
        rgb = load_rgb(_DATA / L.WEBCAM_DIR / name)
        obs = analyze_rgb(variant_frame(rgb, variant, seed_for(name, variant_name)), passive=True)
        if obs.live is not None:
            live.append(obs.live)
    return {
        "set": "webcam",
        "split": L.WEBCAM_PERSON_SPLIT,
        "run": run,
        "variant": variant_name,
        "photos": len(names),
        "live": live,
    }


def build_clip_frames(spec: tuple, keys: set[int]) -> Iterable[tuple[int, Any]]:
    """The wanted frames of a clip as the server would receive them, one at a time."""
    kind, clip = spec[0], spec[1]
    variant = next(v for v in VARIANTS if v.name == spec[2]) if kind == "clip" else None
    path = clip_path(_DATA, clip)
    framing = clip_framing(path, variant.face if variant is not None else None)
    for index, _, rgb in read_clip(path, keys):
        if variant is not None:
            yield index, variant_frame(rgb, variant, seed_for(clip, variant.name, index), framing)
        else:
            yield index, screen_frame(rgb, seed_for(clip, "screen"))


def render(spec: tuple) -> list[tuple[int, Any]]:
    if spec[0] == "card":
        _, portrait, crop, distance, motion = spec
        printed = print_crop(*portrait_image(portrait), crop)
        return card_frames(printed, MOTIONS[motion], DISTANCES[crop, distance])
    _, path, gif, mode = spec
    if gif:
        return gif_frames(str(_DATA / path), *gif)
    rgb = load_rgb(_DATA / path)
    return still_frames(rgb) if mode == "still" else moved_frames(rgb)


def portrait_image(portrait: str) -> tuple[Any, tuple[float, float, float, float]]:
    from workers.analysis import analyze_rgb

    if portrait in L.PORTRAIT_FRAMES:
        index = L.PORTRAIT_FRAMES[portrait]
        _, _, rgb = next(read_clip(clip_path(_DATA, portrait), {index}))
    else:
        rgb = load_rgb(_DATA / portrait)
    box = analyze_rgb(rgb).box
    if box is None:
        raise RuntimeError(f"{portrait}: no face found to print")
    return rgb, box


def load_rgb(path: Path) -> Any:
    bgr = cv2.imread(str(path))
    if bgr is None:
        raise FileNotFoundError(path)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    parser.add_argument("--data", default=os.environ.get("LIVENESS_TEST_DATA", str(default)))
    parser.add_argument("--split", choices=["dev", "heldout", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="fewer variants and attacks")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", default=None, help="folder for per-frame observations")
    parser.add_argument(
        "--show-heldout-cases",
        action="store_true",
        help="also list the held-out split's failing cases (read them only after tuning)",
    )
    args = parser.parse_args()
    data = Path(args.data).resolve()
    if not (data / "videos").is_dir():
        parser.error(f"{data}: not the shared data folder (no videos/)")
    splits = list(SPLITS) if args.split == "both" else [args.split]
    cache = Path(args.cache) if args.cache else None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    variants = [v for v in VARIANTS if not args.quick or v.name in QUICK_VARIANTS]
    started = time.monotonic()
    tasks = plan(data, splits, args.quick)
    tasks.sort(key=lambda t: -t[0].cost)
    total = sum(len(t[0].sessions) for t in tasks)
    print(f"{len(tasks)} sources, {total} sessions, {args.jobs} jobs", file=sys.stderr)
    results: list[dict[str, Any]] = []
    code = analysis_hash()
    with Pool(args.jobs, initializer=_init, initargs=(data, cache, code)) as pool:
        for done, (key, rs, seconds) in enumerate(pool.imap_unordered(work, tasks), 1):
            results.extend(rs)
            elapsed = time.monotonic() - started
            print(f"[{done}/{len(tasks)} {elapsed:6.0f}s] {key} {seconds:.1f}s", file=sys.stderr)
    elapsed = time.monotonic() - started
    lines = header_section(data, splits, args.quick, variants, tasks)
    for split in splits:
        lines += split_section(
            split, results, variants, split != L.HELDOUT or args.show_heldout_cases
        )
    lines.append(
        f"Run time: {elapsed / 60:.1f} min with {args.jobs} processes "
        f"({len(tasks)} sources, {sum(r['set'] != 'webcam' for r in results)} sessions)."
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
