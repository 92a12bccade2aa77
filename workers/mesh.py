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
    """The model call, then the `gestures.landmarks` subset of each face read out."""
    result = _face_mesh().process(rgb)
    return MeshResult(faces=[read_subset(face) for face in result.multi_face_landmarks or []])


# A NormalizedLandmarkList on the wire: one 17-byte record per point when each has exactly
# x, y and z (what the face mesh emits): tag 0x0a and length 15, then 0x0d x, 0x15 y and 0x1d z
# as little-endian float32. Reading the subset from the serialised bytes costs about 20 us a
# face; touching 58 protobuf messages from Python costs about 55 us.
_RECORD = 17
_SUBSET = np.array(lm.MESH_INDICES)
_HIGHEST = max(lm.MESH_INDICES)
_TAG_BYTES = (_SUBSET[:, None] * _RECORD + np.array([0, 1, 2, 7, 12])).ravel()
_TAGS = np.tile(np.array([0x0A, 0x0F, 0x0D, 0x15, 0x1D], dtype=np.uint8), len(_SUBSET))


def read_subset(face: Any) -> npt.NDArray[np.float64]:
    """(N, 3) float64 array of the subset's points, in normalised image units."""
    wire = face.SerializeToString()
    count = len(face.landmark)
    # Every record the length of x, y, z and the subset's records tagged as such: the layout
    # is the expected one (any other field or a missing one would change a length or a tag).
    if (
        len(wire) == count * _RECORD
        and count > _HIGHEST
        and np.array_equal(np.frombuffer(wire, np.uint8)[_TAG_BYTES], _TAGS)
    ):
        xyz = np.ndarray((count, 3), "<f4", wire, 3, (_RECORD, 5))
        return xyz[_SUBSET].astype(np.float64)  # float32 -> float64 is exact
    points = face.landmark  # another layout (e.g. visibility set): read the messages
    return np.array([(points[i].x, points[i].y, points[i].z) for i in lm.MESH_INDICES])


def warm_up() -> None:
    """Build this thread's graph now (e.g. in a Celery worker_process_init hook)."""
    run_face_mesh(np.zeros((64, 64, 3), dtype=np.uint8))
