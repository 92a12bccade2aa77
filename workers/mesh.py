"""The MediaPipe face mesh, loaded lazily: one graph per thread of each process.

MediaPipe's legacy `FaceMesh` graph is not safe to call from two threads at once, and a graph
created before a fork (Celery prefork) must not be reused in the child. So each (process,
thread) pair builds its own graph on first use; nothing is loaded at import time.

Static-image mode makes every frame independent of the previous ones: frames of one session
may be analysed by different worker processes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from gestures import landmarks as lm
from workers.lazy import PerThread

MAX_FACES = 3  # enough to tell "one face" from "several"; each extra face costs a model run
MIN_DETECTION_CONFIDENCE = 0.5


Face = list[list[float]]


@dataclass(frozen=True)
class MeshResult:
    """Each face found, as N rows [x, y, z] of the `gestures.landmarks` subset in normalised
    image units (only those points are read out of the model's 468: it saves time per frame)."""

    faces: list[Face]


def _build_face_mesh() -> Any:
    import mediapipe as mp  # heavy: imported on first use only

    return mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True,
        max_num_faces=MAX_FACES,
        refine_landmarks=False,
        min_detection_confidence=MIN_DETECTION_CONFIDENCE,
    )


_graph: PerThread[Any] = PerThread(_build_face_mesh)


def _face_mesh() -> Any:
    return _graph.get()


def run_face_mesh(rgb: npt.NDArray[np.uint8]) -> MeshResult:
    """The model call, then the `gestures.landmarks` subset of each face read out."""
    return MeshResult(faces=[read_subset(wire) for wire in _landmark_lists(_face_mesh(), rgb)])


_OUTPUT = "multi_face_landmarks"


def _landmark_lists(mesh: Any, rgb: npt.NDArray[np.uint8]) -> list[bytes]:
    """The faces' serialised NormalizedLandmarkList messages for one frame.

    This is `FaceMesh.process` (mediapipe 0.10.21, `SolutionBase.process`) without what it
    adds around the graph run on every call: building a namedtuple class (about 50 us, far
    more right after the model) and parsing each face's 468 points into Python protobuf
    messages that would only be serialised again. The same graph gets the same pixels at the
    next simulated timestamp and is waited for in the same way.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError("Input image must contain three channel rgb data.")
    from mediapipe.python import packet_creator
    from mediapipe.python._framework_bindings import _packet_getter, image_frame

    mesh._graph_outputs.clear()
    mesh._simulated_timestamp += 33333  # as process() does: a simulated 30 fps stream
    # A read-only view is taken by reference instead of copied into the packet (the frame is
    # not written while the graph runs; the packet keeps the array alive).
    frame = rgb.view()
    frame.flags.writeable = False
    packet = packet_creator.create_image_frame(frame, image_format=image_frame.ImageFormat.SRGB)
    (stream,) = mesh._input_stream_type_info
    mesh._graph.add_packet_to_input_stream(
        stream=stream, packet=packet.at(mesh._simulated_timestamp)
    )
    mesh._graph.wait_until_idle()
    output = mesh._graph_outputs.get(_OUTPUT)
    if output is None or output.is_empty():
        return []
    serialised: list[bytes] = _packet_getter._get_serialized_proto_list(output)
    return serialised


# A NormalizedLandmarkList on the wire: one 17-byte record per point when each has exactly
# x, y and z (what the face mesh emits): tag 0x0a and length 15, then 0x0d x, 0x15 y and 0x1d z
# as little-endian float32. Unpacking the subset's records from the serialised bytes costs
# a fraction of parsing the 468 points into protobuf messages, and it stays in plain Python:
# right after the model call, every numpy routine's first use costs tens of microseconds of
# cache misses.
_RECORD = struct.Struct("<3sfcfcf")
_HEAD, _Y_TAG, _Z_TAG = b"\x0a\x0f\x0d", b"\x15", b"\x1d"
_OFFSETS = [index * _RECORD.size for index in lm.MESH_INDICES]
_HIGHEST = max(lm.MESH_INDICES)


def read_subset(wire: bytes) -> Face:
    """The subset's points of one serialised NormalizedLandmarkList as rows [x, y, z], in
    normalised image units."""
    if len(wire) % _RECORD.size == 0 and len(wire) // _RECORD.size > _HIGHEST:
        rows = []
        unpack = _RECORD.unpack_from
        for offset in _OFFSETS:
            head, x, y_tag, y, z_tag, z = unpack(wire, offset)
            # Every record has the length of x, y, z and each one read is tagged as such: the
            # layout is the expected one (another field or a missing one would break both).
            if head != _HEAD or y_tag != _Y_TAG or z_tag != _Z_TAG:
                break
            rows.append([x, y, z])
        else:
            return rows
    # Another layout (e.g. visibility set): parse the message.
    from mediapipe.framework.formats import landmark_pb2

    face = landmark_pb2.NormalizedLandmarkList.FromString(wire)
    points = face.landmark
    return [[points[i].x, points[i].y, points[i].z] for i in lm.MESH_INDICES]


def warm_up() -> None:
    """Build this thread's graph now (e.g. in a Celery worker_process_init hook)."""
    run_face_mesh(np.zeros((64, 64, 3), dtype=np.uint8))
