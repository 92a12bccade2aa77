"""Record the observation sequences under fixtures/ from the shared clips (run by hand).

    .venv/bin/python -m tests.gestures.record_fixtures ../shared/data

They are derived numbers (compact landmarks, angles, openness) at 10 frames per second, so the
gesture logic can be tested, and a failing case kept, without running the model.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CLIPS = ["lp_d12_turns_up_mouth", "lp_d18_mouth_open", "lp_d3_down_mouth", "lp_d0_still"]
FPS = 10.0
HERE = Path(__file__).parent / "fixtures"


def main(data: Path) -> None:
    from workers.replay import observe_video

    for name in CLIPS:
        frames = observe_video(data / "videos" / f"{name}.mp4", FPS)
        rows = [{"index": i, "t_ms": t, "obs": obs.to_dict()} for i, t, obs in frames]
        (HERE / f"{name}.json").write_text(json.dumps(rows, separators=(",", ":")))
        print(name, len(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
