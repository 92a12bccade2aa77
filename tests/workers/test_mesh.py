"""The model call and reading the landmark subset out of its answer."""

from __future__ import annotations

import numpy as np
from mediapipe.framework.formats import landmark_pb2

from gestures import landmarks as lm
from workers.mesh import _face_mesh, _landmark_lists, read_subset, run_face_mesh


def by_message(face: landmark_pb2.NormalizedLandmarkList) -> np.ndarray:
    return np.array([(face.landmark[i].x, face.landmark[i].y, face.landmark[i].z)
                     for i in lm.MESH_INDICES])  # fmt: skip


def test_the_lean_graph_call_answers_as_face_mesh_process(photo):
    for name in ("images/3ddfa_v2/JianzhuGuo.jpg", "images/face_recognition/two_people.jpg"):
        rgb = photo(name)
        expected = _face_mesh().process(rgb).multi_face_landmarks
        wires = _landmark_lists(_face_mesh(), rgb)
        assert wires == [face.SerializeToString() for face in expected]
        faces = run_face_mesh(rgb).faces
        assert len(faces) == len(expected) >= 1
        for face, message in zip(faces, expected, strict=True):
            assert np.array_equal(np.array(face), by_message(message))
    blank = np.full((120, 160, 3), 90, np.uint8)
    assert _face_mesh().process(blank).multi_face_landmarks is None
    assert run_face_mesh(blank).faces == []


def test_another_layout_is_read_from_the_message():
    rng = np.random.default_rng(1)
    face = landmark_pb2.NormalizedLandmarkList()
    for x, y, z in rng.random((468, 3)):
        face.landmark.add(x=x, y=y, z=z - 0.5)
    face.landmark[300].visibility = 0.9  # one longer record shifts every later one
    face.landmark[10].ClearField("z")  # and a shorter one keeps the total length
    assert np.array_equal(np.array(read_subset(face.SerializeToString())), by_message(face))
    face.landmark[300].ClearField("visibility")
    face.landmark[10].z = 0.25
    assert np.array_equal(np.array(read_subset(face.SerializeToString())), by_message(face))
