"""Run the server's engine over a video file, frame by frame, with the clip's own timestamps."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gestures import codes
from gestures.challenge import ChallengeRun
from gestures.config import EngineConfig
from gestures.observation import FrameObservation
from workers.analysis import analyze_rgb
from workers.video import read_video


def observe_video(
    path: Path, max_fps: float | None = None, *, passive: bool = True
) -> list[tuple[int, int, FrameObservation]]:
    """(frame index, t_ms, observation) for every analysed frame of a clip; with `passive`,
    every frame is scored by the anti-spoofing models too (`replay` keeps the scores of the
    frames a live session would have scored)."""
    return [
        (f.index, f.t_ms, analyze_rgb(f.rgb, passive=passive)) for f in read_video(path, max_fps)
    ]


def replay(
    frames: Iterable[tuple[int, int, FrameObservation]],
    gestures: list[str],
    config: EngineConfig | None = None,
    max_attempts: int = 3,
    user: Iterable[tuple[int, str]] | None = None,
) -> dict[str, Any]:
    """Feed observations to a fresh `ChallengeRun`; return the replay report.

    `user`: the end user's decisions as (t_ms, "start" | "retry"), for replaying a recorded
    session as it happened: the run is then interactive, waits for them, and frames that come
    while it waits are not fed (the server drops them too). Without it, the user starts at
    once and retries at once.

    The report: {"status", "result", "reference_frame", "timeline"}, the first two being the
    verdict in CONTRACT section 1 shape. A clip that ends before a verdict is decided as if the
    user had left: the open challenge fails and no attempt is left.

    Passive scores (`FrameObservation.live`) are kept only on the frames the run asks to have
    scored (`ChallengeRun.passive_due`), exactly as the server samples them.
    """
    actions = sorted(user or [])
    unknown = {a for _, a in actions} - {"start", "retry"}
    if unknown:
        raise ValueError(f"unknown user actions: {', '.join(sorted(unknown))}")
    run = ChallengeRun(gestures, config, max_attempts, interactive=user is not None)
    timeline: list[dict[str, Any]] = []
    reference: int | None = None
    last_t = 0
    for index, t_ms, observed in frames:
        while actions and actions[0][0] <= t_ms:
            _, action = actions.pop(0)
            if action == "start":
                run.start()
            else:
                run.retry()
        if not run.accepts_frames:
            continue
        obs = observed if run.passive_due() else dataclasses.replace(observed, live=None)
        if not run.hands_due() and obs.hands is not None:
            # The server runs the hand model only while a hand challenge is open.
            obs = dataclasses.replace(obs, hands=None)
        step = run.feed(obs, t_ms)
        last_t = t_ms
        if step.reference_candidate:
            reference = index
        timeline.append(_entry(index, t_ms, obs, step.to_dict()))
        if step.phase == codes.DONE:
            break
    verdict = run.verdict
    if verdict is None:
        step = run.finish(last_t)
        verdict = step.verdict
        if timeline:
            timeline[-1]["events"].extend(step.events)
    assert verdict is not None
    return {
        "status": verdict["status"],
        "result": verdict["result"],
        "reference_frame": reference,
        "timeline": timeline,
    }


def _entry(index: int, t_ms: int, obs: FrameObservation, step: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": index,
        "t_ms": t_ms,
        "faces": obs.faces,
        "angles": {
            "yaw": round(obs.yaw, 1),
            "pitch": round(obs.pitch, 1),
            "roll": round(obs.roll, 1),
        }
        if obs.has_face
        else None,
        "openness": {
            "eye_right": round(obs.eye_right, 3),
            "eye_left": round(obs.eye_left, 3),
            "mouth": round(obs.mouth, 3),
        }
        if obs.has_face
        else None,
        "live": None if obs.live is None else round(obs.live, 3),
        "fingers": None if obs.hands is None else [hand.fingers for hand in obs.hands],
        "phase": step["phase"],
        "guidance": step["guidance"],
        "challenge": step["index"] if step["phase"] == codes.CHALLENGE else None,
        "attempt": step["attempt"],
        "metrics": step["metrics"] or None,
        "events": step["events"],
    }


def observe_and_replay(
    path: Path,
    gestures: list[str],
    config: EngineConfig | None = None,
    max_attempts: int = 3,
    max_fps: float | None = None,
) -> dict[str, Any]:
    """Analyse a clip lazily (stopping at the verdict) and replay it: the command's core.
    With a hand gesture among `gestures`, every frame goes through the hand model too (the
    replay keeps the hands of the frames the server would have analysed for them)."""
    run_config = config or EngineConfig()
    passive = run_config.passive_min_samples > 0
    hands = any(g in codes.HAND_GESTURES for g in gestures)
    frames = (
        (f.index, f.t_ms, analyze_rgb(f.rgb, passive=passive, hands=hands))
        for f in read_video(path, max_fps)
    )
    return replay(frames, gestures, run_config, max_attempts)
