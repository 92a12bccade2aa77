"""What one camera frame showed: the engine's only input, JSON-safe so it can cross Celery."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gestures import landmarks as lm
from gestures.geometry import Rows
from gestures.hands import Hand, hands_from_list, hands_to_list

_FORMAT = 1


@dataclass(frozen=True)
class Quality:
    """Figures for positioning guidance.

    face_size: face box width over frame width; center_x/center_y: offset of the face centre
    from the frame centre in frame widths/heights (-0.5..0.5, positive = right/down in the
    image); brightness: mean luma of the face box, 0..255; sharpness: variance of the Laplacian
    of the face scaled to a fixed width (independent of face size).
    """

    face_size: float
    center_x: float
    center_y: float
    brightness: float
    sharpness: float


@dataclass(frozen=True)
class FrameObservation:
    """One analysed frame. Angles in degrees; see `gestures.geometry.Pose` for their signs.

    Eye and mouth openness are raw image-plane ratios; `landmarks` is the compact subset of
    `gestures.landmarks` in pixels, as nested lists of [x, y, z] (see `gestures.geometry`),
    which the gesture logic uses for parallax and for openness measured in the neutral view.
    """

    width: int
    height: int
    faces: int
    box: tuple[float, float, float, float] | None = None  # x, y, w, h in pixels
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    eye_right: float = 0.0
    eye_left: float = 0.0
    mouth: float = 0.0
    quality: Quality | None = None
    landmarks: Rows | None = field(default=None, compare=False, repr=False)
    # Passive anti-spoofing: probability that the main face is live (workers.antispoof), for
    # the frames that were scored; None for the others.
    live: float | None = None
    # The face as a small grey patch in a canonical frame (`gestures.texture`), raw bytes.
    patch: bytes | None = field(default=None, compare=False, repr=False)
    # Hands (`gestures.hands`), for the frames the hand model ran on (a hand challenge is
    # open); None for the others. Counted with or without a face.
    hands: list[Hand] | None = field(default=None, compare=False, repr=False)

    @property
    def has_face(self) -> bool:
        return self.faces >= 1 and self.landmarks is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict, about 2 KB with landmarks (coordinates rounded to 0.1 px)."""
        out: dict[str, Any] = {
            "v": _FORMAT,
            "width": self.width,
            "height": self.height,
            "faces": self.faces,
        }
        if self.hands is not None:
            out["hands"] = hands_to_list(self.hands)
        if self.box is None or self.quality is None or self.landmarks is None:
            return out
        out.update(
            box=[round(v, 1) for v in self.box],
            yaw=round(self.yaw, 2),
            pitch=round(self.pitch, 2),
            roll=round(self.roll, 2),
            eye_right=round(self.eye_right, 4),
            eye_left=round(self.eye_left, 4),
            mouth=round(self.mouth, 4),
            quality={k: round(v, 4) for k, v in vars(self.quality).items()},
            landmarks=np.round(np.asarray(self.landmarks, dtype=np.float64), 1).tolist(),
        )
        if self.live is not None:
            out["live"] = round(self.live, 4)
        if self.patch is not None:
            out["patch"] = base64.b64encode(self.patch).decode("ascii")
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FrameObservation:
        if data.get("v") != _FORMAT:
            raise ValueError(f"unsupported observation format {data.get('v')!r}")
        width, height, faces = int(data["width"]), int(data["height"]), int(data["faces"])
        hands = hands_from_list(data["hands"]) if data.get("hands") is not None else None
        if "landmarks" not in data:
            return cls(width=width, height=height, faces=faces, hands=hands)
        points = np.asarray(data["landmarks"], dtype=np.float64)
        if points.shape != (len(lm.NAMES), 3):
            raise ValueError(f"landmarks must be {len(lm.NAMES)}x3, got {points.shape}")
        box = tuple(float(v) for v in data["box"])
        return cls(
            width=width,
            height=height,
            faces=faces,
            box=(box[0], box[1], box[2], box[3]),
            yaw=float(data["yaw"]),
            pitch=float(data["pitch"]),
            roll=float(data["roll"]),
            eye_right=float(data["eye_right"]),
            eye_left=float(data["eye_left"]),
            mouth=float(data["mouth"]),
            quality=Quality(**{k: float(v) for k, v in data["quality"].items()}),
            landmarks=points.tolist(),
            live=None if data.get("live") is None else float(data["live"]),
            patch=base64.b64decode(data["patch"]) if data.get("patch") else None,
            hands=hands,
        )
