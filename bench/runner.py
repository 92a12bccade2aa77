"""Analyse each source once, replay it for every session that uses it (bench/accuracy.py).

A *source* is a set of distinct frames: a clip under one capture variant, a photo card under
one motion, a replay sample. Its frames go through the face mesh once; the anti-spoofing
models (about as costly again) score only the frames some replay samples: every replay runs
first with the unscored frames marked NaN, the frames it sampled are scored, and it runs
again (sources whose replays loop over a few frames score them all up front). Observations
and scores can be kept in a cache folder, keyed by the source and by the analysis code, so a
rerun after a change to `gestures/` replays without analysing again.

Replays are `workers.replay.replay` itself, with the default `EngineConfig`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2

from gestures import codes
from gestures.observation import FrameObservation
from workers.analysis import analyze_rgb
from workers.antispoof import live_probability

ROOT = Path(__file__).resolve().parent.parent
# Code that decides what a frame's observation is: a change invalidates the cache.
ANALYSIS_CODE = [
    "workers/analysis.py",
    "workers/mesh.py",
    "workers/decode.py",
    "workers/antispoof.py",
    "gestures/geometry.py",
    "gestures/observation.py",
    "gestures/landmarks.py",
    "bench/dataset.py",
    "bench/presentations.py",
    "tests/support/attacks.py",
]


def analysis_hash() -> str:
    digest = hashlib.sha256()
    for name in ANALYSIS_CODE:
        digest.update((ROOT / name).read_bytes())
    for model in sorted((ROOT / "workers" / "models").glob("*.onnx")):
        digest.update(f"{model.name}:{model.stat().st_size}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Session:
    """One replay: a sequence of the source's frames as (key, t_ms), one requested gesture."""

    frames: tuple[tuple[int, int], ...]
    gesture: str
    max_attempts: int
    meta: dict[str, Any] = field(compare=False, hash=False)


@dataclass
class Source:
    key: str  # unique and stable: names the cache file
    cost: float  # rough number of frames, to schedule the longest first
    sessions: list[Session]
    score_all: bool = False  # score every frame up front (looped replays sample most)


# Builders run in the worker: the wanted frame keys -> (key, RGB) pairs, streamed.
FrameBuilder = Callable[[set[int]], Iterable[tuple[int, Any]]]


def run_source(
    source: Source, build: FrameBuilder, cache_dir: Path | None, code_hash: str
) -> list[dict[str, Any]]:
    cv2.setNumThreads(1)
    cache_file = None
    stored: dict[str, Any] = {"obs": {}, "live": {}}
    if cache_dir is not None:
        name = hashlib.sha256(f"{source.key}|{code_hash}".encode()).hexdigest()[:24]
        cache_file = cache_dir / f"{name}.pkl"
        if cache_file.is_file():
            stored = pickle.loads(cache_file.read_bytes())
    observations: dict[int, FrameObservation] = stored["obs"]
    live: dict[int, float | None] = stored["live"]
    needed = {key for session in source.sessions for key, _ in session.frames}
    changed = False
    missing = needed - observations.keys()
    if missing:
        seen: dict[bytes, int] = {}
        for key, rgb in build(missing):
            if source.score_all:
                # Rendered presentations repeat frames (the card held still): analyse once.
                digest = hashlib.blake2b(rgb.tobytes(), digest_size=16).digest()
                if digest in seen:
                    observations[key] = observations[seen[digest]]
                    live[key] = live[seen[digest]]
                    continue
                seen[digest] = key
            obs = analyze_rgb(rgb, passive=source.score_all)
            if source.score_all:
                live[key] = obs.live
            observations[key] = dataclasses.replace(obs, live=None)
        changed = True
    if source.score_all:
        unscored = {k for k in needed if k not in live and observations[k].box is not None}
        if unscored:
            _score(unscored, build, observations, live)
            changed = True
    # Replay everything with the unscored frames marked; score what the replays sampled; again.
    pending = list(range(len(source.sessions)))
    reports: dict[int, dict[str, Any]] = {}
    for _ in range(4):
        wanted: set[int] = set()
        unscored_in: list[int] = []
        for i in pending:
            reports[i] = _replay(source.sessions[i], observations, live)
            samples = _unscored_samples(reports[i])
            if samples:
                wanted |= samples
                unscored_in.append(i)
        pending = unscored_in
        if not pending:
            break
        _score(wanted, build, observations, live)
        changed = True
    else:
        raise RuntimeError(f"{source.key}: the replays keep sampling unscored frames")
    if changed and cache_file is not None:
        tmp = cache_file.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps({"obs": observations, "live": live}))
        tmp.replace(cache_file)
    return [summarise(reports[i], s) for i, s in enumerate(source.sessions)]


def _score(
    keys: set[int],
    build: FrameBuilder,
    observations: dict[int, FrameObservation],
    live: dict[int, float | None],
) -> None:
    """The anti-spoofing score of these frames, as `analyze_rgb(rgb, passive=True)` sets it."""
    for key, rgb in build(keys):
        if key in keys:
            box = observations[key].box
            live[key] = None if box is None else live_probability(rgb, box)


def _replay(
    session: Session,
    observations: dict[int, FrameObservation],
    live: dict[int, float | None],
) -> dict[str, Any]:
    from workers.replay import replay

    def with_live(key: int) -> FrameObservation:
        obs = observations[key]
        if obs.box is None:
            return obs
        return dataclasses.replace(obs, live=live.get(key, math.nan))

    cached: dict[int, FrameObservation] = {}
    sequence = []
    for key, t_ms in session.frames:
        if key not in cached:
            cached[key] = with_live(key)
        sequence.append((key, t_ms, cached[key]))
    return replay(sequence, [session.gesture], max_attempts=session.max_attempts)


def _unscored_samples(report: dict[str, Any]) -> set[int]:
    return {
        e["index"]
        for e in report["timeline"]
        if isinstance(e.get("live"), float) and math.isnan(e["live"])
    }


def summarise(report: dict[str, Any], session: Session) -> dict[str, Any]:
    result = report["result"]
    entries = result.get("gestures") or []
    passive = result.get("passive") or {}
    timeline = report["timeline"]
    return {
        **session.meta,
        "gesture": session.gesture,
        "status": report["status"],
        "gesture_status": result.get("gesture_status"),
        "detected_gesture": result.get("detected_gesture"),
        "reason": result.get("reason"),
        "gestures_matched": bool(entries) and all(e["gesture_status"] == "MATCH" for e in entries),
        "entry_status": entries[0]["gesture_status"] if entries else None,
        "entry_detected": entries[0]["detected_gesture"] if entries else None,
        "spoof": passive.get("spoof_percentage"),
        "passive_status": passive.get("status"),
        "attempts": max((e["attempt"] for e in timeline), default=0),
        "judged": sum(1 for e in timeline if e["metrics"]),
        "frames": len(timeline),
        # Decided while frames still came (not by the end of the frames: `replay`'s finish).
        "decided": bool(timeline) and timeline[-1]["phase"] == codes.DONE,
        "last_frame": timeline[-1]["index"] if timeline else None,  # the deciding one, if so
    }
