"""Every shared clip x every gesture through the engine: decision and margins (docs/ACCURACY.md).

    .venv/bin/python bench/accuracy.py [../shared/data] [--fps N]

Margins are the peak, over the frames of the run's challenges, of the gesture's own measure
over its threshold (>= 1.00 passes): turns: the smaller of |yaw| / 15 and the change from
neutral / 10; nods: pitch change / 8; with the nose parallax at that frame as a fraction of what
a real head shows for the angle moved (>= 0.50 turns, >= 0.30 nods);
mouth: lip gap / open threshold; eyes: closed threshold / openness ratio of the closing eye(s).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gestures import codes
from gestures.config import EngineConfig
from workers.replay import observe_video, replay


def margin(gesture: str, entries: list[dict], c: EngineConfig) -> str:
    if not entries:
        return "no challenge frame"
    metrics = [e["metrics"] for e in entries]
    if gesture in (codes.HEAD_LEFT, codes.HEAD_RIGHT):
        sign, key = (-1, "parallax_x") if gesture == codes.HEAD_LEFT else (1, "parallax_x")

        def strength(e: dict) -> float:
            yaw, d_yaw = e["angles"]["yaw"], e["metrics"]["d_yaw"]
            return min(sign * yaw / c.turn_yaw_deg, sign * d_yaw / c.turn_move_deg)

        best = max(entries, key=strength)
        moved = abs(best["metrics"]["d_yaw"])
        expected = c.nose_depth_iod * math.sin(math.radians(moved)) or 1e-9
        shift = -sign * best["metrics"][key]
        return f"angle {strength(best):.2f}, parallax {shift / expected:.2f}"
    if gesture in codes.POSE_GESTURES:
        axis, sign, threshold, key, shift_sign = {
            codes.HEAD_LEFT: ("d_yaw", -1, c.turn_yaw_deg, "parallax_x", 1),
            codes.HEAD_RIGHT: ("d_yaw", 1, c.turn_yaw_deg, "parallax_x", -1),
            codes.HEAD_UP: ("d_pitch", 1, c.nod_pitch_deg, "parallax_y", -1),
            codes.HEAD_DOWN: ("d_pitch", -1, c.nod_pitch_deg, "parallax_y", 1),
        }[gesture]
        best = max(metrics, key=lambda m: sign * m[axis])
        angle = sign * best[axis]
        expected = c.nose_depth_iod * math.sin(math.radians(abs(angle))) or 1e-9
        return f"angle {angle / threshold:.2f}, parallax {shift_sign * best[key] / expected:.2f}"
    if gesture in codes.MOUTH_GESTURES:
        return f"mouth {max(m['mouth'] for m in metrics) / c.mouth_open_min:.2f}"
    eyes = {
        codes.HEAD_00: lambda m: max(m["eye_right_ratio"], m["eye_left_ratio"]),
        codes.HEAD_11: lambda m: max(m["eye_right_ratio"], m["eye_left_ratio"]),
        codes.HEAD_01: lambda m: m["eye_right_ratio"],
        codes.HEAD_10: lambda m: m["eye_left_ratio"],
    }[gesture]
    return f"eyes {c.eye_closed_ratio / max(min(eyes(m) for m in metrics), 1e-3):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("data", nargs="?", default=str(default))
    parser.add_argument("--fps", type=float, default=None)
    args = parser.parse_args()
    config = EngineConfig()
    print("| clip | gesture | decision | attempt | peak margin |")
    print("|---|---|---|---|---|")
    for clip in sorted((Path(args.data) / "videos").glob("*.mp4")):
        frames = observe_video(clip, args.fps)
        for gesture in codes.SUPPORTED_GESTURES:
            report = replay(frames, [gesture], config)
            result = report["result"]
            status = result["gesture_status"]
            if status != codes.MATCH:
                status += f" ({result['detected_gesture'] or 'nothing'})"
            judged = [e for e in report["timeline"] if e["metrics"]]
            attempt = max(e["attempt"] for e in report["timeline"])
            print(
                f"| {clip.stem} | {gesture} | {status} | {attempt} | {margin(gesture, judged, config)} |"
            )


if __name__ == "__main__":
    main()
