"""Record the hand-photo runs under fixtures/ from the shared photos (run by hand).

    PYTHONPATH=. .venv/bin/python -m tests.gestures.record_hand_fixtures ../shared/data

A run of `hands/subhi_handsdataset` (one file-name prefix, numbers in recording order) is a
clip of one person changing hand shape. Each photo is encoded as the page sends it (480 px,
JPEG 70) and analysed with the face mesh and the hand model; the observation (without the
face patch) and the photo's labels (finger counts per hand box, `labels.csv`) are stored.
Both runs are held out of the finger thresholds' tuning (bench/hands.py).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent / "fixtures"
RUNS = ["5", "46"]


def photo_order(name: str) -> int:
    return int(re.findall(r"\d+", name.split("_", 1)[1])[0])


def main(data: Path) -> None:
    import cv2

    from bench.dataset import page_frame
    from bench.hands import load_labels
    from workers.analysis import analyze_rgb

    folder = data / "hands" / "subhi_handsdataset"
    labels = load_labels(folder)
    for run in RUNS:
        names = sorted((n for n in labels if n.split("_")[0] == run), key=photo_order)
        rows = []
        for name in names:
            bgr = cv2.imread(str(folder / "images" / name))
            rgb = page_frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            obs = analyze_rgb(rgb, hands=True).to_dict() | {"patch": None}
            rows.append({"photo": name, "counts": [c for c, _ in labels[name]], "obs": obs})
        (HERE / f"hands_run{run}.json").write_text(json.dumps(rows, separators=(",", ":")))
        print(run, len(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
