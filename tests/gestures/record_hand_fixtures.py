"""Record the hand-photo runs under fixtures/ from the shared photos (run by hand).

    PYTHONPATH=. .venv/bin/python -m tests.gestures.record_hand_fixtures ../shared/data [runs|gifs]

A run of `hands/subhi_handsdataset` (one file-name prefix, numbers in recording order) is a
clip of one person changing hand shape. Each photo is encoded as the page sends it (480 px,
JPEG 70) and analysed with the face mesh and the hand model; the observation (without the
face patch) and the photo's labels (finger counts per hand box, `labels.csv`) are stored.
Both runs are held out of the finger thresholds' tuning (bench/hands.py).

The thumb shapes no photo shows come from the only real pixels of them in the shared data, the
dynamic_gestures GIFs (`hands/dynamic_gestures`, Apache-2.0): every frame of `zoom_in_out`
(a fist, the thumb and index raised in an "L", the fist again) and of `dndv3` (an "OK" sign,
then the open hand), with each frame's display time from the GIF (60-70 ms). What the frames
show was read by eye (docs/ACCURACY.md, "The dynamic_gestures GIFs"); the fixture stores the
model's landmarks, not that reading.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent / "fixtures"
RUNS = ["5", "46"]
GIFS = ["zoom_in_out", "dndv3"]


def photo_order(name: str) -> int:
    return int(re.findall(r"\d+", name.split("_", 1)[1])[0])


def main(data: Path, which: str = "") -> None:
    import cv2

    from bench.dataset import page_frame
    from bench.hands import load_labels
    from workers.analysis import analyze_rgb

    folder = data / "hands" / "subhi_handsdataset"
    labels = load_labels(folder)
    for run in RUNS if which in ("", "runs") else []:
        names = sorted((n for n in labels if n.split("_")[0] == run), key=photo_order)
        rows = []
        for name in names:
            bgr = cv2.imread(str(folder / "images" / name))
            rgb = page_frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            obs = analyze_rgb(rgb, hands=True).to_dict() | {"patch": None}
            rows.append({"photo": name, "counts": [c for c, _ in labels[name]], "obs": obs})
        (HERE / f"hands_run{run}.json").write_text(json.dumps(rows, separators=(",", ":")))
        print(run, len(rows))
    for gif in GIFS if which in ("", "gifs") else []:
        rows = []
        for index, (rgb, duration_ms) in enumerate(gif_frames(data, gif)):
            obs = analyze_rgb(page_frame(rgb), hands=True).to_dict() | {"patch": None}
            rows.append({"frame": index, "duration_ms": duration_ms, "obs": obs})
        (HERE / f"hands_gif_{gif}.json").write_text(json.dumps(rows, separators=(",", ":")))
        print(gif, len(rows))


def gif_frames(data: Path, name: str) -> list[tuple[object, int]]:
    """The GIF's frames as RGB with the time each is shown (ms, from the GIF's timestamps)."""
    import cv2

    path = data / "hands" / "dynamic_gestures" / f"dynamicgestures_{name}.gif"
    capture = cv2.VideoCapture(str(path))
    frames, starts = [], []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        starts.append(capture.get(cv2.CAP_PROP_POS_MSEC))
    capture.release()
    steps = [round(b - a) for a, b in itertools.pairwise(starts)]
    return list(zip(frames, [*steps, steps[-1]], strict=True))


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:3])
