"""Face-match accuracy and cost on the shared identities (docs/ACCURACY.md, docs/PERFORMANCE.md).

    .venv/bin/python bench/facematch.py [--data DIR] [--frames N]

Samples: every single-person photo that bench/labels.py assigns to a person, and N frames
(default 3, spread over the clip) of every shared clip, each labelled with its person. Every pair
of samples from different sources is scored: same person = genuine, different persons =
impostor (two frames of one clip are not paired: that would flatter the genuine side). Prints
Markdown: the score distributions, FMR and FNMR at a sweep of thresholds and at the chosen one
(`gestures.face_match.MATCH_DISTANCE`), the worst pairs on each side, and the cost per photo
and per match.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np

from bench.labels import PERSON
from gestures.face_match import MATCH_DISTANCE, match_percentage
from workers import facematch
from workers.decode import as_image
from workers.video import read_video

# The Hamilton clip shows one man only in these frames; the others are stage shots.
CLIP_WINDOWS = {"fr_hamilton_multiface": (100, 205)}
# bench/labels.py groups these photos with a clip's person as a precaution for its dev/held-out
# split ("might be the same person"); side by side they are plainly other people (a woman on
# yellow vs the lp_d3 woman, a curly-haired young man vs the lp_d12 man), so here each is a
# person of its own. (JianzhuGuo.jpg stays with lp_d9: the model puts them 0.31-0.35 apart, and
# Jianzhu Guo is LivePortrait's first author, so its driving clip d9 is very likely him.)
OWN_PERSON = {
    "images/liveportrait/driving_d8.jpg",
    "images/liveportrait/driving_d9.jpg",
}
Sample = tuple[str, str, str, np.ndarray]  # source, label, person, descriptor


def photo_samples(data: Path, cost: list[float]) -> list[Sample]:
    samples = []
    for source, person in PERSON.items():
        if not source.startswith("images/"):
            continue
        bgr = cv2.imread(str(data / source))
        if bgr is None:
            continue
        start = time.perf_counter()
        scan = facematch.scan(as_image(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
        cost.append(time.perf_counter() - start)
        if scan.faces != 1 or scan.descriptor is None:
            print(f"skipped {source}: {scan.faces} faces", file=sys.stderr)
            continue
        person = source if source in OWN_PERSON else person
        samples.append((source, source.rsplit("/", 1)[-1], person, scan.descriptor))
    return samples


def clip_samples(data: Path, frames: int, cost: list[float]) -> list[Sample]:
    samples = []
    clips = sorted((data / "videos").glob("*.mp4")) + sorted((data / "videos/more").glob("*.mp4"))
    for path in clips:
        person = PERSON.get(path.stem)
        if person is None:
            continue
        every = list(read_video(path))
        low, high = CLIP_WINDOWS.get(path.stem, (0, len(every) - 1))
        picks = np.linspace(low + (high - low) * 0.1, low + (high - low) * 0.9, frames)
        for index in sorted({round(x) for x in picks}):
            start = time.perf_counter()
            scan = facematch.scan(every[index].rgb)
            cost.append(time.perf_counter() - start)
            if scan.faces != 1 or scan.descriptor is None:
                print(f"skipped {path.stem}#{index}: {scan.faces} faces", file=sys.stderr)
                continue
            samples.append((path.stem, f"{path.stem}#{index}", person, scan.descriptor))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared/data")
    parser.add_argument("--frames", type=int, default=3)
    args = parser.parse_args()
    facematch.warm_up()
    cost: list[float] = []
    samples = photo_samples(args.data, cost) + clip_samples(args.data, args.frames, cost)
    genuine: list[tuple[float, str, str]] = []
    impostor: list[tuple[float, str, str]] = []
    for first, second in itertools.combinations(samples, 2):
        if first[0] == second[0]:
            continue
        pair = (facematch.distance(first[3], second[3]), first[1], second[1])
        (genuine if first[2] == second[2] else impostor).append(pair)
    persons = len({sample[2] for sample in samples})
    print(f"## Face match on the shared identities ({len(samples)} samples, {persons} persons)\n")
    print(f"{len(genuine)} genuine pairs, {len(impostor)} impostor pairs.\n")
    print("| pairs | n | min | 5% | median | 95% | max |")
    print("|---|---|---|---|---|---|---|")
    for name, pairs in (("genuine", genuine), ("impostor", impostor)):
        values = np.array([pair[0] for pair in pairs])
        cells = [np.min(values), *np.percentile(values, [5, 50, 95]), np.max(values)]
        row = " | ".join(f"{v:.3f} ({match_percentage(v):.2f})" for v in cells)
        print(f"| {name} distance (match_percentage) | {len(values)} | {row} |")
    print("\n| threshold (distance) | FMR | FNMR |")
    print("|---|---|---|")
    for threshold in sorted({0.45, 0.5, 0.55, 0.6, 0.65, 0.7, MATCH_DISTANCE}):
        fmr = sum(d <= threshold for d, *_ in impostor)
        fnmr = sum(d > threshold for d, *_ in genuine)
        mark = " (chosen)" if threshold == MATCH_DISTANCE else ""
        print(
            f"| {threshold:.2f}{mark} | {fmr}/{len(impostor)} = {fmr / len(impostor):.2%} "
            f"| {fnmr}/{len(genuine)} = {fnmr / len(genuine):.2%} |"
        )
    print("\nHardest genuine pairs (largest distance):")
    for d, a, b in sorted(genuine, reverse=True)[:5]:
        print(f"- {d:.3f} {a} vs {b}")
    print("\nHardest impostor pairs (smallest distance):")
    for d, a, b in sorted(impostor)[:5]:
        print(f"- {d:.3f} {a} vs {b}")
    near: dict[tuple[str, str], int] = {}
    for d, a, b in impostor:
        if d <= MATCH_DISTANCE:
            key = tuple(sorted((a.split("#")[0], b.split("#")[0])))
            near[key] = near.get(key, 0) + 1  # type: ignore[index]
    print(f"\nImpostor pairs at or under {MATCH_DISTANCE} by source pair:")
    for (a, b), count in sorted(near.items(), key=lambda item: -item[1]):
        print(f"- {a} vs {b}: {count}")
    print(
        f"\nCost: {statistics.median(cost) * 1000:.0f} ms median per photo or frame "
        f"(detection + alignment + descriptor; max {max(cost) * 1000:.0f} ms, "
        f"{len(cost)} images); a match scans two images."
    )


if __name__ == "__main__":
    main()
