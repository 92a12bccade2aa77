"""The MediaPipe face mesh, loaded lazily: one graph per thread of each process.

MediaPipe's legacy `FaceMesh` graph is not safe to call from two threads at once, and a graph
created before a fork (Celery prefork) must not be reused in the child. So each (process,
thread) pair builds its own graph on first use; nothing is loaded at import time.

Static-image mode makes every frame independent of the previous ones: frames of one session
may be analysed by different worker processes.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from gestures import landmarks as lm

MAX_FACES = 3  # enough to tell "one face" from "several"; each extra face costs a model run
MIN_DETECTION_CONFIDENCE = 0.5

_local = threading.local()


@dataclass(frozen=True)
class MeshResult:
    """Each face found, as an (N, 3) array of the `gestures.landmarks` subset in normalised
    image units (only those points are read out of the model's 468: it saves time per frame)."""

    faces: list[npt.NDArray[np.float64]]


def _face_mesh() -> Any:
    graph = getattr(_local, "graph", None)
    if graph is None or getattr(_local, "pid", None) != os.getpid():
        import mediapipe as mp  # heavy: imported on first use only

        graph = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=True,
            max_num_faces=MAX_FACES,
            refine_landmarks=False,
            min_detection_confidence=MIN_DETECTION_CONFIDENCE,
        )
        _local.graph, _local.pid = graph, os.getpid()
    return graph


def run_face_mesh(rgb: npt.NDArray[np.uint8]) -> MeshResult:
    """The bare model call: what the benchmark compares the whole analysis against."""
    result = _face_mesh().process(rgb)
    faces = []
    for face in result.multi_face_landmarks or []:
        points = face.landmark
        faces.append(
            np.array([_xyz(points[i]) for i in lm.MESH_INDICES], dtype=np.float64).reshape(-1, 3)
        )
    return MeshResult(faces=faces)


def _xyz(point: Any) -> tuple[float, float, float]:
    return point.x, point.y, point.z


def warm_up() -> None:
    """Build this thread's graph now (e.g. in a Celery worker_process_init hook)."""
    run_face_mesh(np.zeros((64, 64, 3), dtype=np.uint8))
