"""Passive anti-spoofing evidence of a run: per-frame live probabilities in, a robust verdict out.

The per-frame figure is the MiniFASNet pair's probability that the face is live
(`workers.antispoof`). One frame decides nothing: motion blur or a half-turned head can make a
live face look doubtful for a frame, and a replay can look live for one. A run keeps every
sampled frame's figure and judges their median, in GLAIR's passive-liveness shape:
`{"spoof_percentage": 1 - median, "status": "LOW" | "MODERATE" | "HIGH"}` (LOW = live).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any, TypedDict

from gestures.config import EngineConfig

LOW = "LOW"
MODERATE = "MODERATE"
HIGH = "HIGH"
NO_FACE = "face not detected"  # GLAIR's passive status when no face could be judged
SPOOF_SUSPECTED = "SPOOF_SUSPECTED"
PROVEN_LIVE = (LOW, MODERATE)


class PassiveSummary(TypedDict):
    spoof_percentage: float
    status: str
    samples: int


def passive_status(spoof_percentage: float, config: EngineConfig) -> str:
    """GLAIR's bands: HIGH fails a session, MODERATE is reported for reviewers, LOW is live."""
    if spoof_percentage >= config.passive_spoof_high:
        return HIGH
    if spoof_percentage >= config.passive_spoof_moderate:
        return MODERATE
    return LOW


def rank_as_reference(live: float | None, config: EngineConfig) -> int | None:
    """How a frame ranks as the session's reference (the face a merchant compares with an ID
    document, `GET .../images`): 1, a frame the passive check scored and did not find HIGH;
    0, a frame it did not score; None, one it found HIGH, which never is the reference. A
    higher rank always wins, the sharper frame within a rank. Otherwise a picture shown for a
    moment (while positioning, say) and put away, the sharpest frontal frame of the run, would
    be the reference of a session whose gestures a live attacker made and whose median passive
    score the attacker's own frames kept live. Rank 0 is kept as a fallback: the check scores
    one frame in `passive_sample_every`, and a user who talks through every scored frame gives
    none with a closed mouth. Every frame ranks 1 when the check is off (`passive_min_samples`
    0)."""
    if config.passive_min_samples <= 0:
        return 1
    if live is None or math.isnan(live):
        return 0
    return 1 if 1.0 - live < config.passive_spoof_high else None


@dataclass
class PassiveEvidence:
    """The live probabilities of a run's sampled frames, in the order they came."""

    scores: list[float] = field(default_factory=list)
    frames_since_sample: int = 0

    def due(self, config: EngineConfig) -> bool:
        """Should the next frame be scored? Every frame until the minimum is reached, then
        one in `passive_sample_every` (the model costs more than the rest of the frame)."""
        return (
            len(self.scores) < config.passive_min_samples
            or self.frames_since_sample + 1 >= config.passive_sample_every
        )

    def add(self, live: float | None) -> None:
        if live is None:
            self.frames_since_sample += 1
            return
        self.scores.append(min(max(float(live), 0.0), 1.0))
        self.frames_since_sample = 0

    def summary(self, config: EngineConfig) -> PassiveSummary | None:
        """The run's evidence; None when the check is off (`passive_min_samples` 0: replays of
        recorded landmarks, which carry no pixels). Fewer scored frames than the minimum is no
        evidence of life: GLAIR's `face not detected`, which fails the session too."""
        if config.passive_min_samples <= 0:
            return None
        spoof = 1.0 - statistics.median(self.scores) if self.scores else 1.0
        if len(self.scores) < config.passive_min_samples:
            status = NO_FACE
        else:
            status = passive_status(spoof, config)
        return {"spoof_percentage": round(spoof, 4), "status": status, "samples": len(self.scores)}

    def to_dict(self) -> dict[str, Any]:
        return {"scores": [round(s, 4) for s in self.scores]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PassiveEvidence:
        return cls(scores=[float(s) for s in (data or {}).get("scores", [])])
