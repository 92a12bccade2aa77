"""The reviewers' plot: head angles and eye/mouth openness over time, as SVG geometry.

Pure data in, coordinates out; `templates/dashboard/_plot.html` draws them. Challenge windows
come from the audit trail, so the plot shows what the engine decided and when.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from gestures.vocabulary import EventKind, VerdictStatus
from sessions.models import SessionEvent

WIDTH = 960
LEFT, RIGHT = 56, 16
PLOT_W = WIDTH - LEFT - RIGHT
BAND_TOP = 6  # challenge labels
ANGLES_TOP, ANGLES_H = 34, 170
OPEN_TOP, OPEN_H = ANGLES_TOP + ANGLES_H + 30, 120
PASSIVE_TOP, PASSIVE_H = OPEN_TOP + OPEN_H + 30, 70
AXIS_Y = PASSIVE_TOP + PASSIVE_H
HEIGHT = AXIS_Y + 30
GAP_MS = 1500  # a longer silence (reconnect, retry pause) breaks the line
PASSIVE_GAP_MS = 10_000  # only some frames are scored: their points are joined across others
MAX_POINTS = 1500
TIME_STEPS_S = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600)

ANGLE_SERIES = (
    ("yaw", "Yaw", "#2563eb"),
    ("pitch", "Pitch", "#ea580c"),
    ("roll", "Roll", "#16a34a"),
)
OPEN_SERIES = (
    ("eye_left", "Left eye", "#7c3aed"),
    ("eye_right", "Right eye", "#0891b2"),
    ("mouth", "Mouth", "#db2777"),
)
PASSIVE_SERIES = (("live", "Live probability (anti-spoofing)", "#0f766e"),)
# Hand challenges: which fingers the hand showed, one row per finger, thumb on top.
FINGERS_TOP, FINGERS_H = AXIS_Y + 30, 80
FINGER_SERIES = (
    ("finger_thumb", "Thumb raised", "#b45309"),
    ("finger_index", "Index finger raised", "#4f46e5"),
    ("finger_middle", "Middle finger raised", "#be123c"),
    ("finger_ring", "Ring finger raised", "#0d9488"),
    ("finger_little", "Little finger raised", "#65a30d"),
)


@dataclass
class Series:
    key: str
    label: str
    color: str
    segments: list[str] = field(default_factory=list)
    dots: list[tuple[float, float]] = field(default_factory=list)  # sparse series' points


@dataclass
class Tick:
    pos: float
    label: str


@dataclass
class Panel:
    title: str
    top: int
    height: int
    ticks: list[Tick]
    series: list[Series]
    zero: float | None = None  # a reference line: zero degrees, or the passive threshold


@dataclass
class Window:
    x: float
    width: float
    label: str
    title: str
    outcome: str  # matched | failed | open

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2


@dataclass
class Marker:
    x: float
    label: str
    outcome: str

    @property
    def text_x(self) -> float:
        return self.x - 4


@dataclass
class Plot:
    width: int
    height: int
    left: int
    plot_w: int
    axis_y: int
    duration_s: float
    panels: list[Panel]
    windows: list[Window]
    markers: list[Marker]
    time_ticks: list[Tick]
    samples: int

    top: int = ANGLES_TOP
    label_y: int = BAND_TOP + 16
    marker_label_y: int = OPEN_TOP - 9
    time_label_y: int = AXIS_Y + 18

    @property
    def right(self) -> int:
        return self.left + self.plot_w

    @property
    def band_height(self) -> int:
        return self.axis_y - self.top

    @property
    def series(self) -> list[Series]:
        return [s for panel in self.panels for s in panel.series]


def timeline_plot(
    *, samples: list[dict[str, Any]], events: list[SessionEvent], live_threshold: float = 0.5
) -> Plot | None:
    """Geometry for the plot, or None when the run left no samples.

    1. Time runs from the first to the last sample (ms since the epoch, server clock).
    2. Angles share one symmetric degree scale; openness one 0..max scale; the passive live
       probability of the scored frames 0..1, with the line below which a session is a
       suspected spoof (`live_threshold`: 1 - passive_spoof_high).
    3. Challenge windows open at `challenge_started` and close at the matching gesture event,
       a disconnect or the verdict; verdicts and failed attempts become markers.
    """
    samples = [s for s in samples if isinstance(s.get("t"), (int, float))]
    if not samples:
        return None
    if len(samples) > MAX_POINTS:
        samples = samples[:: math.ceil(len(samples) / MAX_POINTS)]
    t0, t1 = samples[0]["t"], samples[-1]["t"]
    span = max(t1 - t0, 1000)

    def x_of(t: float) -> float:
        return LEFT + (min(max(t, t0), t0 + span) - t0) / span * PLOT_W

    angle_max = _angle_scale(samples)
    open_max = _open_scale(samples)
    panels = [
        Panel(
            "Head angles (°)",
            ANGLES_TOP,
            ANGLES_H,
            [Tick(_y(v, -angle_max, angle_max, ANGLES_TOP, ANGLES_H), f"{v:+g}".replace("+0", "0"))
             for v in (angle_max, angle_max / 2, 0, -angle_max / 2, -angle_max)],
            _series(samples, ANGLE_SERIES, x_of, -angle_max, angle_max, ANGLES_TOP, ANGLES_H),
            zero=_y(0, -angle_max, angle_max, ANGLES_TOP, ANGLES_H),
        ),
        Panel(
            "Eye and mouth openness",
            OPEN_TOP,
            OPEN_H,
            [Tick(_y(v, 0, open_max, OPEN_TOP, OPEN_H), f"{v:.2f}")
             for v in (open_max, open_max / 2, 0)],
            _series(samples, OPEN_SERIES, x_of, 0, open_max, OPEN_TOP, OPEN_H),
        ),
        Panel(
            "Passive anti-spoofing: live probability",
            PASSIVE_TOP,
            PASSIVE_H,
            [Tick(_y(v, 0, 1, PASSIVE_TOP, PASSIVE_H), f"{v:g}") for v in (1, 0.5, 0)],
            _series([s for s in samples if isinstance(s.get("live"), (int, float))],
                    PASSIVE_SERIES, x_of, 0, 1, PASSIVE_TOP, PASSIVE_H, gap_ms=PASSIVE_GAP_MS,
                    dots=True),
            zero=_y(live_threshold, 0, 1, PASSIVE_TOP, PASSIVE_H),
        ),
    ]  # fmt: skip
    axis_y = AXIS_Y
    fingers = _finger_panel(samples, x_of)
    if fingers is not None:  # only sessions with a hand challenge have finger states
        panels.append(fingers)
        axis_y = FINGERS_TOP + FINGERS_H
    windows, markers = _challenge_windows(events, x_of, t0, t0 + span)
    return Plot(
        width=WIDTH,
        height=axis_y + (HEIGHT - AXIS_Y),
        left=LEFT,
        plot_w=PLOT_W,
        axis_y=axis_y,
        time_label_y=axis_y + 18,
        duration_s=round((t1 - t0) / 1000, 1),
        panels=panels,
        windows=windows,
        markers=markers,
        time_ticks=_time_ticks(span, x_of, t0),
        samples=len(samples),
    )


def _finger_panel(samples: list[dict[str, Any]], x_of: Any) -> Panel | None:
    """Finger states of the first hand found, on the frames analysed for hands: a dot per
    raised finger, joined while it stays raised; rows thumb (top) to little finger."""
    if not any(isinstance(s.get("fingers"), list) for s in samples):
        return None
    rows = []
    for s in samples:
        hands = s.get("fingers")
        state = hands[0] if isinstance(hands, list) and hands else ""
        row: dict[str, Any] = {"t": s["t"], "faces": None}
        for i, (key, _, _) in enumerate(FINGER_SERIES):
            row[key] = 4 - i if state[i : i + 1] == "1" else None
        rows.append(row)
    names = ("thumb", "index", "middle", "ring", "little")
    return Panel(
        "Hand: fingers raised",
        FINGERS_TOP,
        FINGERS_H,
        [Tick(_y(4 - i, -0.5, 4.5, FINGERS_TOP, FINGERS_H), name) for i, name in enumerate(names)],
        _series(rows, FINGER_SERIES, x_of, -0.5, 4.5, FINGERS_TOP, FINGERS_H, dots=True),
    )


def _values(samples: list[dict[str, Any]], keys: tuple[str, ...]) -> list[float]:
    return [abs(float(s[k])) for s in samples for k in keys if isinstance(s.get(k), (int, float))]


def _angle_scale(samples: list[dict[str, Any]]) -> float:
    peak = max(_values(samples, ("yaw", "pitch", "roll")), default=0.0)
    return float(min(max(30, math.ceil(peak / 15) * 15), 90))


def _open_scale(samples: list[dict[str, Any]]) -> float:
    peak = max(_values(samples, ("eye_left", "eye_right", "mouth")), default=0.0)
    return max(0.2, math.ceil(peak * 10) / 10)


def _y(value: float, low: float, high: float, top: int, height: int) -> float:
    value = min(max(value, low), high)
    return round(top + (high - value) / (high - low) * height, 1)


def _series(
    samples: list[dict[str, Any]],
    specs: tuple[tuple[str, str, str], ...],
    x_of: Any,
    low: float,
    high: float,
    top: int,
    height: int,
    *,
    gap_ms: int = GAP_MS,
    dots: bool = False,
) -> list[Series]:
    out = []
    for key, label, color in specs:
        series, points, last_t = Series(key, label, color), [], None
        for s in samples:
            # Without a face the observation holds placeholders, not measurements.
            value = s.get(key) if s.get("faces") != 0 else None
            broken = last_t is not None and s["t"] - last_t > gap_ms
            if not isinstance(value, (int, float)) or broken:
                if len(points) > 1:
                    series.segments.append(" ".join(points))
                points = []
            if isinstance(value, (int, float)):
                x, y = round(x_of(s["t"]), 1), _y(float(value), low, high, top, height)
                points.append(f"{x},{y}")
                if dots:
                    series.dots.append((x, y))
            last_t = s["t"]
        if len(points) > 1:
            series.segments.append(" ".join(points))
        out.append(series)
    return out


def _challenge_windows(
    events: list[SessionEvent], x_of: Any, start_ms: float, end_ms: float
) -> tuple[list[Window], list[Marker]]:
    windows: list[Window] = []
    markers: list[Marker] = []
    opened: tuple[float, dict[str, Any]] | None = None

    def close(at: float, outcome: str, detail: str) -> None:
        nonlocal opened
        if opened is None:
            return
        began, data = opened
        number = int(data.get("index", 0)) + 1
        gesture = str(data.get("gesture", "?"))
        mark = {"matched": "✓", "failed": "✗"}.get(outcome, "…")
        x0, x1 = x_of(began), x_of(at)
        windows.append(
            Window(
                x=round(x0, 1),
                width=round(max(x1 - x0, 2), 1),
                label=f"{number} {gesture} {mark}" if x1 - x0 > 110 else f"{number} {mark}",
                title=f"Challenge {number}, attempt {data.get('attempt', '?')}: {gesture} — {detail}",
                outcome=outcome,
            )
        )
        opened = None

    for event in events:
        at = event.at.timestamp() * 1000
        data = event.data if isinstance(event.data, dict) else {}
        if event.kind == EventKind.CHALLENGE_STARTED:
            close(at, "open", "interrupted")
            opened = (at, data)
        elif event.kind == EventKind.GESTURE_MATCHED:
            close(at, "matched", f"matched in {data.get('duration_ms', '?')} ms")
        elif event.kind == EventKind.GESTURE_FAILED:
            seen = data.get("detected_gesture")
            close(at, "failed", f"{data.get('gesture_status')}" + (f", saw {seen}" if seen else ""))
        elif event.kind == EventKind.DISCONNECTED:
            close(at, "open", "connection closed")
        elif event.kind == EventKind.ATTEMPT_FAILED and start_ms <= at <= end_ms:
            markers.append(
                Marker(round(x_of(at), 1), f"attempt {data.get('attempt')} failed", "failed")
            )
        elif event.kind == EventKind.VERDICT:
            # Recorded once per session, its data the committed verdict itself.
            close(at, "open", "verdict reached")
            status = data["status"]
            outcome = "matched" if status == VerdictStatus.SUCCESS else "failed"
            markers.append(Marker(round(x_of(at), 1), f"verdict: {status}", outcome))
    close(end_ms, "open", "no decision recorded")
    return windows, markers


def _time_ticks(span: float, x_of: Any, t0: float) -> list[Tick]:
    step = next((s for s in TIME_STEPS_S if span / 1000 / s <= 10), TIME_STEPS_S[-1])
    count = int(span / 1000 // step)
    return [Tick(round(x_of(t0 + i * step * 1000), 1), f"{i * step:g} s") for i in range(count + 1)]
