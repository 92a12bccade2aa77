"""Record the observation sequences under fixtures/ from the shared clips (run by hand).

    .venv/bin/python -m tests.gestures.record_fixtures ../shared/data

They are derived numbers (compact landmarks, angles, openness) at 10 frames per second, so the
gesture logic can be tested, and a failing case kept, without running the model. `CUTS` are
short stretches at the clip's own frame rate, encoded as the page sends them (480 px, JPEG
70): blinks last two or three frames, too short for 10 fps.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CLIPS = ["lp_d12_turns_up_mouth", "lp_d18_mouth_open", "lp_d3_down_mouth", "lp_d0_still"]
FPS = 10.0
HERE = Path(__file__).parent / "fixtures"
# (clip, first frame, last frame): the engine's regressions from docs/ACCURACY.md (dev split).
CUTS = [
    # A blink, then a look up with lids that reopen only to 0.8 of neutral (HEAD_11).
    ("st_katiehill_turns", 84, 140),
    # A slow blink between wide-open eyes under raised brows (HEAD_00).
    ("liveportrait_d7", 41, 100),
    # Talking with the head a few degrees up, then a nod down at 40-50: from the neutral the
    # nose moves too little, from the frames just before enough (HEAD_DOWN at 5-10 fps).
    ("tp_driving_turn", 0, 80),
]


def main(data: Path) -> None:
    from workers.replay import observe_video

    for name in CLIPS:
        frames = observe_video(data / "videos" / f"{name}.mp4", FPS)
        rows = [{"index": i, "t_ms": t, "obs": obs.to_dict()} for i, t, obs in frames]
        (HERE / f"{name}.json").write_text(json.dumps(rows, separators=(",", ":")))
        print(name, len(rows))
    from bench.dataset import clip_path, page_frame, read_clip
    from workers.analysis import analyze_rgb

    for name, first, last in CUTS:
        wanted = set(range(first, last + 1))
        rows = [
            # Without the face patch (size): the pixel checks are skipped on replay.
            {
                "index": i,
                "t_ms": t,
                "obs": analyze_rgb(page_frame(rgb), passive=True).to_dict() | {"patch": None},
            }
            for i, t, rgb in read_clip(clip_path(data, name), wanted)
        ]
        (HERE / f"{name}_{first}-{last}.json").write_text(json.dumps(rows, separators=(",", ":")))
        print(name, first, last, len(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
