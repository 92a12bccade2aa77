"""Hand shapes on the shared photos: finger counts against the labels, and the model's cost.

    PYTHONPATH=. python bench/hands.py [--data ../shared/data] [--cache /tmp/hands-cache]

1. Every photo of `hands/subhi_handsdataset` goes through `workers.hands.run_hands` (the
   landmarks can be cached: the model is the slow part, `gestures.hands` the part tuned).
2. Each labelled hand box is paired with the found hand whose landmark box overlaps it most
   (IoU >= 0.1); an unpaired box is "missed". The count of raised fingers of the paired hand
   (`gestures.hands.finger_state`) is compared with the label.
3. The runs (file-name prefixes) are split in two: the tuning runs, on which the thresholds of
   `gestures.hands` were chosen, and the held-out runs, reported apart.
4. Per finger state read, how often it appears per labelled count (the confusion table), and
   the per-frame cost of the hand model on these 800x600 photos and at the page's 480 px.
5. False hands: 12 frames spread over each shared talking-head clip (`videos/`, `videos/more/`;
   not the stage footage, whose performers' hands are real), at the page's 480 px. Every
   hand found there is false; the ones beside the face (`gestures.hand_challenge.beside_face`,
   default settings) are those a hand challenge would read.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import pickle
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gestures.codes import HAND_GESTURES  # noqa: E402
from gestures.config import EngineConfig  # noqa: E402
from gestures.hand_challenge import beside_face  # noqa: E402
from gestures.hands import Hand, finger_state  # noqa: E402
from workers.hands import MODEL_WIDTH, run_hands  # noqa: E402

LABEL_CODES = {0: "HAND_00000", 1: "HAND_01000", 2: "HAND_01100", 4: "HAND_01111", 5: "HAND_11111"}
# Runs whose photos chose the thresholds; the others are held out.
TUNING_RUNS = {"3", "15", "25", "35", "96"}
PAGE_WIDTH = 480


def load_labels(folder: Path) -> dict[str, list[tuple[int, tuple[float, float, float, float]]]]:
    """file name -> [(count, (x0, y0, x1, y1))] per labelled hand."""
    labels: dict[str, list[tuple[int, tuple[float, float, float, float]]]] = defaultdict(list)
    with (folder / "labels.csv").open() as f:
        for row in csv.DictReader(f):
            box = (float(row["xmin"]), float(row["ymin"]), float(row["xmax"]), float(row["ymax"]))
            labels[row["filename"]].append((int(row["class"].split("-")[0]), box))
    return labels


def run_key(name: str) -> str:
    return name.split("_")[0]


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def corners(hand: Hand) -> tuple[float, float, float, float]:
    x, y, w, h = hand.box()
    return x, y, x + w, y + h


def pair(
    boxes: list[tuple[int, tuple[float, float, float, float]]], hands: list[Hand]
) -> list[tuple[int, Hand | None]]:
    """Each labelled box with the found hand overlapping it most, each hand used once."""
    free = list(hands)
    out: list[tuple[int, Hand | None]] = []
    for count, box in boxes:
        best = max(free, key=lambda h: iou(box, corners(h)), default=None)
        if best is not None and iou(box, corners(best)) >= 0.1:
            free.remove(best)
            out.append((count, best))
        else:
            out.append((count, None))
    return out


def analyse(
    folder: Path, names: list[str], cache: Path | None, width: int | None = None
) -> dict[str, list[Hand]]:
    """The hands found in each photo, in the photo's own pixels; with `width`, the photo is
    first scaled to that width (area averaging, as a browser scales the page's frames)."""
    digest = hashlib.sha256((ROOT / "workers" / "hands.py").read_bytes()).hexdigest()[:12]
    path = cache / f"subhi-{digest}-{width or 'full'}.pickle" if cache else None
    if path is not None and path.exists():
        found: dict[str, list[Hand]] = pickle.loads(path.read_bytes())
        return found
    found = {}
    for name in names:
        rgb = cv2.cvtColor(cv2.imread(str(folder / "images" / name)), cv2.COLOR_BGR2RGB)
        scale = 1.0
        if width is not None and width != rgb.shape[1]:
            scale = rgb.shape[1] / width
            size = (width, round(rgb.shape[0] / scale))
            rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        found[name] = [
            Hand([[x * scale, y * scale, z * scale] for x, y, z in h.points], h.side, h.score)
            for h in run_hands(rgb)
        ]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(found))
    return found


def accuracy(labels: dict, found: dict[str, list[Hand]]) -> None:  # type: ignore[type-arg]
    parts: dict[str, Counter[str]] = {"tuning": Counter(), "held-out": Counter()}
    table: dict[int, Counter[str]] = defaultdict(Counter)
    for name, boxes in sorted(labels.items()):
        part = parts["tuning" if run_key(name) in TUNING_RUNS else "held-out"]
        for count, hand in pair(boxes, found.get(name, [])):
            part["hands"] += 1
            if hand is None:
                part["missed"] += 1
                table[count]["missed"] += 1
                continue
            state = finger_state(hand.points)
            part["right"] += state.count("1") == count
            table[count][state] += 1
    print("## Finger count equals the label (per labelled hand)\n")
    print("| runs | hands | count right | missed (no hand found) | right of the hands found |")
    print("|---|---|---|---|---|")
    total: Counter[str] = Counter()
    for label, c in [*parts.items(), ("all", total)]:
        if label != "all":
            total.update(c)
        found_n = c["hands"] - c["missed"]
        print(f"| {label} | {c['hands']} | {c['right']} ({c['right'] / c['hands']:.1%}) "
              f"| {c['missed']} | {c['right']} / {found_n} ({c['right'] / found_n:.1%}) |")  # fmt: skip
    print("\n## Finger states read, per labelled count\n")
    print("| label | hands | states read (count) |")
    print("|---|---|---|")
    for count in sorted(table):
        row = table[count]
        cells = ", ".join(f"`{s}` {n}" for s, n in row.most_common())
        print(f"| {count} | {sum(row.values())} | {cells} |")
    print("\n## Per code (labels 0, 1, 2, 4, 5 name one of GLAIR's shapes; 3 varies)\n")
    print("| code | labelled hands | recognised | confused with another code | other | missed |")
    print("|---|---|---|---|---|---|")
    for count, code in sorted(LABEL_CODES.items()):
        row = table[count]
        n = sum(row.values())
        hit = row[code.removeprefix("HAND_")]
        confused = sum(
            v for k, v in row.items() if f"HAND_{k}" in HAND_GESTURES and f"HAND_{k}" != code
        )
        other = n - hit - confused - row["missed"]
        print(f"| `{code}` | {n} | {hit} ({hit / n:.1%}) | {confused} ({confused / n:.1%}) "
              f"| {other} | {row['missed']} |")  # fmt: skip


def cost(folder: Path, names: list[str], repeats: int, face_only: Path) -> None:
    """`run_hands` per frame: the photos (a hand in nearly all), and a face with no hand (the
    model runs twice: the mirrored view too)."""
    print("\n## Hand model cost per frame (ms, one thread)\n")
    print("| frame | median | p90 |")
    print("|---|---|---|")
    sample = [
        cv2.cvtColor(cv2.imread(str(folder / "images" / n)), cv2.COLOR_BGR2RGB) for n in names
    ]
    run_hands(sample[0])  # the graph is built on first use
    face = cv2.cvtColor(cv2.imread(str(face_only)), cv2.COLOR_BGR2RGB)
    page_face = cv2.resize(face, (PAGE_WIDTH, round(face.shape[0] * PAGE_WIDTH / face.shape[1])))
    for label, frames in (
        ("800x600 photo", sample),
        (f"{PAGE_WIDTH} px wide (the page's)", [cv2.resize(f, (PAGE_WIDTH, 360)) for f in sample]),
        (f"{PAGE_WIDTH} px, a face and no hand", [page_face] * len(sample)),
    ):
        times = []
        for _ in range(repeats):
            for frame in frames:
                start = time.perf_counter()
                run_hands(frame)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"| {label} | {statistics.median(times):.1f} | {times[int(len(times) * 0.9)]:.1f} |")


def false_hands(data: Path) -> None:
    from workers.analysis import analyze_rgb

    clips = sorted((data / "videos").glob("*.mp4")) + sorted(
        (data / "videos" / "more").glob("*.mp4")
    )
    clips = [c for c in clips if c.name != "fr_hamilton_multiface.mp4"]
    frames = with_hand = beside = 0
    where = []
    for clip in clips:
        capture = cv2.VideoCapture(str(clip))
        total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        for index in sorted({round(i * (total - 1) / 11) for i in range(12)}):
            capture.set(cv2.CAP_PROP_POS_FRAMES, index)
            ok, bgr = capture.read()
            if not ok:
                continue
            size = (PAGE_WIDTH, round(bgr.shape[0] * PAGE_WIDTH / bgr.shape[1]))
            rgb = cv2.cvtColor(
                cv2.resize(bgr, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB
            )
            obs = analyze_rgb(rgb, hands=True)
            frames += 1
            found = obs.hands or []
            near = [h for h in found if beside_face(h, obs, EngineConfig())]
            with_hand += bool(found)
            beside += bool(near)
            if found:
                where.append(f"{clip.name}:{index}" + (" (beside the face)" if near else ""))
        capture.release()
    title = f"False hands on {frames} frames of {len(clips)} talking-head clips"
    print(f"\n## {title} (no hand in view)\n")
    print(f"Frames with a hand found: {with_hand}; with one beside the face: {beside}.")
    if where:
        print("Where: " + ", ".join(where) + ".")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--cost-frames", type=int, default=20)
    parser.add_argument(
        "--width", type=int, default=None, help="scale the photos to this width first"
    )
    parser.add_argument("--no-cost", action="store_true", help="skip the cost table")
    parser.add_argument("--no-false", action="store_true", help="skip the false-hand count")
    args = parser.parse_args()
    folder = args.data / "hands" / "subhi_handsdataset"
    labels = load_labels(folder)
    names = sorted(labels)
    given = "as given (800x600)" if args.width is None else f"scaled to {args.width} px wide"
    print(f"Photos {given}; workers.hands scales frames to {MODEL_WIDTH} px for the model\n")
    accuracy(labels, analyse(folder, names, args.cache, args.width))
    if not args.no_false:
        false_hands(args.data)
    if not args.no_cost:
        face_only = args.data / "images" / "3ddfa_v2" / "JianzhuGuo.jpg"
        cost(folder, names[:: max(len(names) // args.cost_frames, 1)], 2, face_only)


if __name__ == "__main__":
    main()
