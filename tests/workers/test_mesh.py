"""Reading the landmark subset out of the model's protobuf answer."""

from __future__ import annotations

import numpy as np
from mediapipe.framework.formats import landmark_pb2

from gestures import landmarks as lm
from workers.mesh import _face_mesh, read_subset


def by_message(face: landmark_pb2.NormalizedLandmarkList) -> np.ndarray:
    return np.array([(face.landmark[i].x, face.landmark[i].y, face.landmark[i].z)
                     for i in lm.MESH_INDICES])  # fmt: skip


def test_the_subset_read_from_the_wire_equals_the_messages(photo):
    result = _face_mesh().process(photo("images/3ddfa_v2/JianzhuGuo.jpg"))
    face = result.multi_face_landmarks[0]
    assert np.array_equal(read_subset(face), by_message(face))


def test_another_layout_is_read_from_the_messages():
    rng = np.random.default_rng(1)
    face = landmark_pb2.NormalizedLandmarkList()
    for x, y, z in rng.random((468, 3)):
        face.landmark.add(x=x, y=y, z=z - 0.5)
    face.landmark[300].visibility = 0.9  # one longer record shifts every later one
    face.landmark[10].ClearField("z")  # and a shorter one
    assert np.array_equal(read_subset(face), by_message(face))
    face.landmark[300].ClearField("visibility")
    face.landmark[10].z = 0.25
    assert np.array_equal(read_subset(face), by_message(face))
