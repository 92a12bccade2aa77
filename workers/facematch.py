"""Face recognition: dlib's ResNet face descriptor, from the `dlib-bin` and
`face-recognition-models` packages.

1. Faces are found with dlib's HOG frontal-face detector on a copy of the photo whose longer
   side is at most DETECT_MAX_SIDE pixels (HOG's cost grows with the pixel count, and a
   passport-photo face is still about 150 px wide at that size). A photo under 400 px (a
   thumbnail, a small ID scan) is searched at twice its size so that faces down to about 40 px
   are found; the page's 480-px frames are not (their face is far larger, and upsampling
   quadruples the detector's cost at every verdict of a verify session).
2. Each face is aligned by dlib's 5-point shape predictor and described by the ResNet as a
   128-d vector (99.38% on LFW, dlib's figure). Two photos of one person lie within about 0.6
   of each other (Euclidean), which is the distance dlib's author chose; `gestures.face_match`
   turns the distance into GLAIR's answer from our own measurements (docs/ACCURACY.md).

The three model files ship inside `face-recognition-models` (the 68-point predictor and the
CNN detector in that package are not used). They are loaded lazily, once per process, never at
import; dlib's network keeps per-call state, so calls are serialised by a lock.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from workers.decode import Image, as_image
from workers.lazy import PerProcess

DETECT_MAX_SIDE = 1024
UPSAMPLE_BELOW_SIDE = 400  # photos smaller than this are searched at twice their size
# A face less than this fraction of the largest face's width is a bystander far behind the
# subject (or a detector artefact), not a second person claiming the photo.
BYSTANDER_RATIO = 0.4
MODEL_PACKAGE = "face_recognition_models"
MODEL_FILES = ("shape_predictor_5_face_landmarks.dat", "dlib_face_recognition_resnet_model_v1.dat")

Descriptor = npt.NDArray[np.float64]
Box = tuple[int, int, int, int]  # left, top, right, bottom in the photo's pixels


class ModelMissing(RuntimeError):
    """dlib or the model package is not installed (see the `liveness.E040` check)."""


@dataclass(frozen=True)
class FaceScan:
    """The faces of one photo: their boxes (largest first) and the largest one's descriptor."""

    boxes: list[Box]
    descriptor: Descriptor | None

    @property
    def faces(self) -> int:
        return len(self.boxes)


@dataclass(frozen=True)
class _Models:
    detector: Any
    predictor: Any
    encoder: Any


_lock = threading.Lock()  # dlib's network is not run from two threads at once


def model_dir() -> Path | None:
    """Where the installed model package keeps its files, or None when it is not installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def missing() -> list[str]:
    """What is missing for face matching: packages or model files (empty when all is there)."""
    problems = []
    if importlib.util.find_spec("dlib") is None:
        problems.append("the dlib package (pip install dlib-bin)")
    folder = model_dir()
    if folder is None:
        problems.append("the face-recognition-models package")
    else:
        problems.extend(str(folder / name) for name in MODEL_FILES if not (folder / name).is_file())
    return problems


def _load_models() -> _Models:
    problems = missing()
    if problems:
        raise ModelMissing("face matching needs " + ", ".join(problems))
    import dlib  # the package's own import is slow; only a process that matches pays it

    folder = model_dir()
    assert folder is not None
    return _Models(
        detector=dlib.get_frontal_face_detector(),
        predictor=dlib.shape_predictor(str(folder / MODEL_FILES[0])),
        encoder=dlib.face_recognition_model_v1(str(folder / MODEL_FILES[1])),
    )


_loaded: PerProcess[_Models] = PerProcess(_load_models)


def _models() -> _Models:
    return _loaded.get()


def scan(rgb: Image) -> FaceScan:
    """Find the faces of an RGB photo and describe the largest one."""
    with _lock:
        models = _models()
        small, scale = _detection_copy(rgb)
        upsample = 1 if max(small.shape[:2]) < UPSAMPLE_BELOW_SIDE else 0
        rects = sorted(models.detector(small, upsample), key=lambda r: -r.width())
        if rects:
            largest = rects[0].width()
            rects = [r for r in rects if r.width() >= BYSTANDER_RATIO * largest]
        boxes = [_box(rect, scale, rgb.shape) for rect in rects]
        if not rects:
            return FaceScan(boxes=[], descriptor=None)
        shape = models.predictor(small, rects[0])
        vector = models.encoder.compute_face_descriptor(small, shape)
    return FaceScan(boxes=boxes, descriptor=np.asarray(vector, dtype=np.float64))


def distance(first: Descriptor, second: Descriptor) -> float:
    return float(np.linalg.norm(first - second))


def warm_up() -> None:
    """Load the models now (a worker's start), not on its first request."""
    scan(np.zeros((64, 64, 3), dtype=np.uint8))


def _detection_copy(rgb: Image) -> tuple[Image, float]:
    height, width = rgb.shape[:2]
    scale = min(1.0, DETECT_MAX_SIDE / max(height, width))
    if scale == 1.0:
        return np.ascontiguousarray(rgb), 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return as_image(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)), scale


def _box(rect: Any, scale: float, shape: tuple[int, ...]) -> Box:
    height, width = shape[:2]
    return (
        max(0, round(rect.left() / scale)),
        max(0, round(rect.top() / scale)),
        min(width, round(rect.right() / scale)),
        min(height, round(rect.bottom() / scale)),
    )
